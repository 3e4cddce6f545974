namespace Brisa.Azure.Registry;

/// <summary>
/// The registry has no live version: nothing was applied yet. An <see cref="InvalidOperationException"/>, so callers
/// that treat it as any failed read keep doing so; the HTTP API answers it with 503 problem details.
/// </summary>
public sealed class DefinitionsNotDeployedException : InvalidOperationException
{
    /// <summary>The message every caller shows: what to run.</summary>
    public const string DefaultMessage = "No definitions are deployed: run 'brisa apply <file>' first.";

    /// <summary>Creates the exception with <see cref="DefaultMessage"/>.</summary>
    public DefinitionsNotDeployedException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DefinitionsNotDeployedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public DefinitionsNotDeployedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
