namespace Brisa.Core.Definitions;

/// <summary>How serious a diagnostic is. Errors prevent loading; warnings do not.</summary>
public enum DiagnosticSeverity
{
    /// <summary>The definitions are invalid.</summary>
    Error,

    /// <summary>The definitions load, but something is likely a mistake.</summary>
    Warning,
}

/// <summary>A problem in a definition file, pointing at the exact line and column.</summary>
/// <param name="File">The file name as given to the loader.</param>
/// <param name="Line">1-based line (0 when unknown, e.g. for definitions read from JSON).</param>
/// <param name="Column">1-based column (0 when unknown).</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">A stable code, <c>BRxxxx</c> (see <see cref="DiagnosticCodes"/> and docs/definitions.md).</param>
/// <param name="Message">What is wrong (no trailing period).</param>
/// <param name="Hint">What would be right, or null.</param>
public sealed record DefinitionDiagnostic(string File, int Line, int Column, DiagnosticSeverity Severity, string Code, string Message, string? Hint)
{
    /// <summary>True for errors.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>Compiler-style text: <c>features.yaml:12:7: error BR0305: message. Hint</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var location = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{location}: {severity} {Code}: {Message}." + (Hint is null ? string.Empty : " " + Hint);
    }

    /// <summary>
    /// This policy rule as the applied definitions break it (<see cref="FeatureRepositoryDefinition.StoredWarnings"/>),
    /// in the words plan, health and the logs use: which rule, what is wrong, and that the next apply must fix it.
    /// </summary>
    /// <returns>The text.</returns>
    public string DescribeAsStored() =>
        $"the applied definitions break rule {Code}: {Message}." + (Hint is null ? string.Empty : " " + Hint)
        + " Fix it before the next apply: validate, plan and apply refuse a file that breaks it.";
}

/// <summary>The result of loading a definition file.</summary>
/// <param name="Definitions">The definitions; null when there is at least one error.</param>
/// <param name="Diagnostics">Every error and warning, sorted by line and column.</param>
public sealed record DefinitionLoadResult(FeatureRepositoryDefinition? Definitions, IReadOnlyList<DefinitionDiagnostic> Diagnostics)
{
    /// <summary>True when the definitions loaded (no errors; warnings allowed).</summary>
    public bool Succeeded => Definitions is not null;

    /// <summary>The errors only.</summary>
    public IEnumerable<DefinitionDiagnostic> Errors => Diagnostics.Where(d => d.IsError);
}
