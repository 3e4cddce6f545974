using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace Brisa.Cli.Serving;

/// <summary>
/// Finds the timer- and queue-triggered functions of an assembly as the Functions host indexes them (every public
/// <c>[Function]</c> method with a <c>[TimerTrigger]</c> or <c>[QueueTrigger]</c> parameter) and resolves their
/// <c>%setting%</c> names from configuration, so a new function is run by <c>brisa serve</c> without code here.
/// </summary>
public static partial class TriggerFunctions
{
    /// <summary>The timer and queue functions of <paramref name="assembly"/>, with settings resolved from <paramref name="configuration"/>.</summary>
    /// <exception cref="TriggerConfigurationException">A binding names a setting that is not set, a schedule does not parse, or a parameter cannot be bound.</exception>
    public static TriggerPlan Discover(Assembly assembly, IConfiguration configuration, Func<string, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(configuration);
        var functions = assembly.GetTypes()
            .Where(type => type.IsPublic && !type.IsAbstract)
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Select(method => (method, name: method.GetCustomAttribute<FunctionAttribute>()?.Name))
            .Where(m => m.name is not null && (include is null || include(m.name)))
            .ToList();

        var timers = new List<TimerFunction>();
        var queues = new List<QueueFunction>();
        foreach (var (method, name) in functions)
        {
            foreach (var parameter in method.GetParameters())
            {
                if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is { } timer)
                {
                    CheckParameters(name!, method, typeof(TimerInfo));
                    var expression = Resolve(name!, timer.Schedule, configuration);
                    TimerSchedule schedule;
                    try
                    {
                        schedule = TimerSchedule.Parse(expression);
                    }
                    catch (FormatException ex)
                    {
                        throw new TriggerConfigurationException($"{name}: {ex.Message}", ex);
                    }

                    timers.Add(new TimerFunction(name!, timer.Schedule, schedule, timer.RunOnStartup, method));
                }
                else if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is { } queue)
                {
                    CheckParameters(name!, method, typeof(string));
                    queues.Add(new QueueFunction(name!, Resolve(name!, queue.QueueName, configuration), queue.Connection ?? "AzureWebJobsStorage", method));
                }
            }
        }

        return new TriggerPlan(
            [.. timers.OrderBy(t => t.Name, StringComparer.Ordinal)],
            [.. queues.OrderBy(q => q.Name, StringComparer.Ordinal)]);
    }

    /// <summary>Replaces every <c>%name%</c> in a binding value with the setting <c>name</c>, as the host's name resolver does.</summary>
    /// <exception cref="TriggerConfigurationException">A named setting is not set: the host would not start the function either.</exception>
    public static string Resolve(string function, string value, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(configuration);
        return SettingName().Replace(value, match =>
            configuration[match.Groups["name"].Value] is { Length: > 0 } resolved
                ? resolved
                : throw new TriggerConfigurationException(
                    $"{function}: its binding names the setting '{match.Groups["name"].Value}', which is not set " +
                    $"(set it in local.settings.json or as {match.Groups["name"].Value.Replace(":", "__", StringComparison.Ordinal)} in the environment)."));
    }

    // The local host binds what Brisa's functions take: the trigger value and the cancellation token. Anything else
    // fails at start-up rather than at the first tick.
    private static void CheckParameters(string name, MethodInfo method, Type trigger)
    {
        foreach (var parameter in method.GetParameters())
        {
            if (parameter.ParameterType != trigger && parameter.ParameterType != typeof(CancellationToken))
            {
                throw new TriggerConfigurationException(
                    $"{name}: parameter '{parameter.Name}' of type {parameter.ParameterType.Name} cannot be bound by the local host (it binds {trigger.Name} and CancellationToken).");
            }
        }

        if (method.ReturnType != typeof(Task) && method.ReturnType != typeof(void))
        {
            throw new TriggerConfigurationException($"{name}: the local host runs functions returning Task or void (output bindings are not emulated), not {method.ReturnType.Name}.");
        }
    }

    [GeneratedRegex("%(?<name>[^%]+)%")]
    private static partial Regex SettingName();
}

/// <summary>The triggers <c>brisa serve</c> runs besides HTTP.</summary>
/// <param name="Timers">Timer-triggered functions.</param>
/// <param name="Queues">Queue-triggered functions.</param>
public sealed record TriggerPlan(IReadOnlyList<TimerFunction> Timers, IReadOnlyList<QueueFunction> Queues);

/// <summary>A timer-triggered function.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Binding">The schedule as the binding writes it (e.g. <c>%Brisa:MaterializeSchedule%</c>).</param>
/// <param name="Schedule">The resolved schedule.</param>
/// <param name="RunOnStartup">The binding's <c>RunOnStartup</c>: run once when the listener starts.</param>
/// <param name="Method">The method to invoke.</param>
public sealed record TimerFunction(string Name, string Binding, TimerSchedule Schedule, bool RunOnStartup, MethodInfo Method);

/// <summary>A queue-triggered function.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Queue">The resolved queue name; failures end in <c>{Queue}-poison</c>.</param>
/// <param name="Connection">The storage connection setting (<c>AzureWebJobsStorage</c>).</param>
/// <param name="Method">The method to invoke.</param>
public sealed record QueueFunction(string Name, string Queue, string Connection, MethodInfo Method)
{
    /// <summary>Where messages go after <c>maxDequeueCount</c> failed attempts (the extension's name).</summary>
    public string PoisonQueue => Queue + "-poison";
}

/// <summary>A trigger the local host cannot run as configured: a setting not set, a schedule that does not parse, a parameter it cannot bind.</summary>
public sealed class TriggerConfigurationException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public TriggerConfigurationException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public TriggerConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public TriggerConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
