using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;

namespace Brisa.Cli.Serving;

/// <summary>
/// Calls a function method as the isolated worker does: a new instance of its class per invocation, built from a new
/// DI scope of the same services (<c>AddBrisa</c>), with the trigger value and the host's cancellation token.
/// </summary>
internal sealed class FunctionInvoker(IServiceProvider services)
{
    /// <summary>Invokes <paramref name="method"/>; the function's own exception is rethrown as is.</summary>
    public async Task InvokeAsync(MethodInfo method, object trigger, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, method.DeclaringType!);
        var arguments = method.GetParameters()
            .Select(parameter => parameter.ParameterType == typeof(CancellationToken) ? cancellationToken : trigger)
            .ToArray();
        try
        {
            if (method.Invoke(instance, arguments) is Task task)
            {
                await task.ConfigureAwait(false);
            }
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
