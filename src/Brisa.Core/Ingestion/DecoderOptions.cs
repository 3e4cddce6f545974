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

    /// <summary>
    /// Most events in one message (a JSON array). Default 20,000: a 1 MiB Event Hubs message of real CloudEvents holds
    /// fewer, while a body of <c>[{},{},…]</c> would otherwise make a rejection, an outcome and a dead-letter record
    /// per three bytes. A message over it is dead-lettered whole, as one record.
    /// </summary>
    public int MaxEventsPerMessage { get; init; } = 20_000;
}
