namespace Brisa.Core.Ingestion;

/// <summary>Limits the decoder enforces; every violation is a dead-lettered event with its reason.</summary>
public sealed record DecoderOptions
{
    /// <summary>How far in the future an event time may be (producer clock skew). Default 5 minutes.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The earliest event time accepted. Default 2000-01-01 UTC.</summary>
    public DateTimeOffset MinEventTime { get; init; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Largest single event, in bytes. Default 64 KiB.</summary>
    public int MaxEventBytes { get; init; } = 64 * 1024;

    /// <summary>Longest string field value, in characters. Default 4096 (entity keys up to 2 KB fit).</summary>
    public int MaxStringLength { get; init; } = 4096;

    /// <summary>Longest CloudEvent id, in characters. Default 256.</summary>
    public int MaxIdLength { get; init; } = 256;
}
