namespace Brisa.Core.Serving;

/// <summary>A request the serving API rejects: the HTTP status, a short title and a message that says what to fix.</summary>
public sealed class ServingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServingException(int status, string title, string message)
        : base(message)
    {
        Status = status;
        Title = title;
    }

    /// <summary>Creates the exception (400).</summary>
    public ServingException()
        : this(400, "Bad request", "The request is not valid.")
    {
    }

    /// <summary>Creates the exception (400) with a message.</summary>
    public ServingException(string message)
        : this(400, "Bad request", message)
    {
    }

    /// <summary>Creates the exception (400) with a message and a cause.</summary>
    public ServingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 400;
        Title = "Bad request";
    }

    /// <summary>The HTTP status (400, 404, 413, 415 ...).</summary>
    public int Status { get; }

    /// <summary>A short, stable title.</summary>
    public string Title { get; } = "Bad request";

    /// <summary>400 with a title.</summary>
    public static ServingException BadRequest(string title, string message) => new(400, title, message);

    /// <summary>404 with a title.</summary>
    public static ServingException NotFound(string title, string message) => new(404, title, message);
}
