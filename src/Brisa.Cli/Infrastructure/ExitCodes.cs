namespace Brisa.Cli;

/// <summary>Process exit codes of <c>brisa</c>.</summary>
public static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Ok = 0;

    /// <summary>A stage or an operation failed.</summary>
    public const int Failed = 1;

    /// <summary>The input (a file, an argument) is wrong; the message says what.</summary>
    public const int BadInput = 2;

    /// <summary>A prerequisite is missing: Node.js or Azurite (the message says what to install), or configured storage that cannot be reached (the message names the endpoint and its setting).</summary>
    public const int MissingPrerequisite = 3;

    /// <summary>Stopped by Ctrl+C.</summary>
    public const int Cancelled = 130;
}
