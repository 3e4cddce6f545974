using System.Text.Json.Serialization;

namespace Brisa.Azure.Models;

/// <summary>The aliases of one model (<c>models/&lt;model&gt;/aliases.json</c>).</summary>
public sealed record ModelAliases
{
    /// <summary>The version that serves predictions, or null.</summary>
    public string? Champion { get; init; }

    /// <summary>The latest version that did not become champion, or null.</summary>
    public string? Challenger { get; init; }

    /// <summary>Earlier champions, most recent last, each once and never the champion: rollback pops from here.</summary>
    public IReadOnlyList<string> PreviousChampions { get; init; } = [];

    /// <summary>When the aliases last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>Aliases as read, with the ETag that a conditional update must match (null when aliases.json does not exist yet).</summary>
/// <param name="Aliases">The aliases.</param>
/// <param name="ETag">The blob's ETag, or null.</param>
public sealed record AliasesSnapshot(ModelAliases Aliases, global::Azure.ETag? ETag);

/// <summary>What a history entry records.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelHistoryAction>))]
public enum ModelHistoryAction
{
    /// <summary>A version became champion.</summary>
    Promote,

    /// <summary>A version became challenger (not promoted).</summary>
    Challenger,

    /// <summary>The champion was rolled back to an earlier version.</summary>
    Rollback,

    /// <summary>A promotion lost a concurrent alias update and was not applied.</summary>
    Conflict,
}

/// <summary>One line of <c>models/&lt;model&gt;/history.jsonl</c> (append-only audit log).</summary>
/// <param name="Time">When (UTC).</param>
/// <param name="Action">What happened.</param>
/// <param name="Version">The version concerned.</param>
/// <param name="PreviousChampion">The champion before the change, or null.</param>
/// <param name="Reason">Why, for people (the promotion decision or the operator's reason).</param>
/// <param name="Actor">Who: <c>retrain</c>, <c>cli:user</c>…, or null.</param>
public sealed record ModelHistoryEntry(DateTimeOffset Time, ModelHistoryAction Action, string Version, string? PreviousChampion, string Reason, string? Actor);

/// <summary>A conditional update of a model's aliases lost against a concurrent one, or found an unexpected champion.</summary>
public sealed class ModelConcurrencyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelConcurrencyException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ModelConcurrencyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelConcurrencyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A version's model.zip, or what its entries unpack to, is larger than the registry reads (<see cref="ModelRegistry.MaxModelZipBytes"/>).</summary>
public sealed class ModelTooLargeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="model">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="size">What is too large, e.g. <c>is 300 bytes</c> or <c>unpacks to 300 bytes</c>.</param>
    /// <param name="limit">The limit in bytes.</param>
    public ModelTooLargeException(string model, string version, string size, long limit)
        : base($"Model '{model}' version '{version}': its model.zip {size}, over the limit of {limit} bytes (Brisa:Models:MaxZipBytes). Promote or serve another version, or raise the setting if the model is genuinely that large.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ModelTooLargeException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ModelTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
