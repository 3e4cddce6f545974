namespace Brisa.Cli;

/// <summary>Something the user gave (an argument, a setting) is wrong: reported as one line with exit code 2.</summary>
public sealed class BadInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BadInputException()
    {
    }

    /// <summary>Creates the exception with the message the user sees.</summary>
    public BadInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message the user sees and its cause.</summary>
    public BadInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
