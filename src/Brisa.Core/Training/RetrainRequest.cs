using System.Text.Json;

namespace Brisa.Core.Training;

/// <summary>A retraining request on the <c>retrain</c> queue.</summary>
/// <param name="Model">The model to retrain.</param>
/// <param name="Reason">Why (drift, performance, manual ...); the consumer records it as the run's actor, <c>retrain:&lt;reason&gt;</c>.</param>
public sealed record RetrainRequest(string Model, string? Reason)
{
    /// <summary>The queue message: <c>{"model": "...", "reason": "..."}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, string?> { ["model"] = Model, ["reason"] = Reason });

    /// <summary>Reads a message; throws <see cref="FormatException"/> with what is wrong.</summary>
    public static RetrainRequest Parse(string message)
    {
        try
        {
            using var json = JsonDocument.Parse(message);
            var model = json.RootElement.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var reason = json.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            return string.IsNullOrWhiteSpace(model)
                ? throw new FormatException($"Retrain message needs a 'model' string: {message}")
                : new RetrainRequest(model, reason);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Retrain message is not JSON: {ex.Message}", ex);
        }
    }
}
