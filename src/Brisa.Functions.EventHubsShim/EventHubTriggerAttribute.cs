using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// Marks a function parameter that is triggered by Event Hubs events. Offline mirror of the attribute in
/// <c>Microsoft.Azure.Functions.Worker.Extensions.EventHubs</c>: same namespace, base class, interface, constructor,
/// properties, defaults and class-level attributes, so generated function metadata is identical.
/// </summary>
/// <remarks>
/// Two details matter to the worker's source generator (Microsoft.Azure.Functions.Worker.Sdk.Generators):
/// the class must derive from <see cref="TriggerBindingAttribute"/> (it compares <c>BaseType.BaseType</c> with
/// <c>BindingAttribute</c>), and <see cref="IsBatched"/> must carry the Abstractions <see cref="DefaultValueAttribute"/>:
/// the generator's cardinality parser dereferences that attribute whenever <c>IsBatched</c> is not set explicitly, and a
/// missing one throws inside the generator (warning CS8785, an error here).
/// </remarks>
[InputConverter(typeof(EventDataConverter))]
[ConverterFallbackBehavior(ConverterFallbackBehavior.Default)]
[BindingCapabilities(KnownBindingCapabilities.FunctionLevelRetry)]
public sealed class EventHubTriggerAttribute : TriggerBindingAttribute, ISupportCardinality
{
    // Batched by default, as in the official attribute.
    private bool _isBatched = true;

    /// <summary>Creates the attribute.</summary>
    /// <param name="eventHubName">The event hub to listen on; <c>%Setting%</c> resolves an app setting.</param>
    public EventHubTriggerAttribute(string eventHubName)
    {
        EventHubName = eventHubName;
    }

    /// <summary>The name of the event hub.</summary>
    public string EventHubName { get; private set; }

    /// <summary>The consumer group; <c>$Default</c> when missing.</summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>The name of the connection (app setting or setting prefix for identity-based connections).</summary>
    public string? Connection { get; set; }

    /// <summary>Whether events are delivered in batches. Default <see langword="true"/>.</summary>
    [DefaultValue(true)]
    public bool IsBatched
    {
        get => _isBatched;
        set => _isBatched = value;
    }

    /// <inheritdoc/>
    Cardinality ISupportCardinality.Cardinality
    {
        get => _isBatched ? Cardinality.Many : Cardinality.One;
        set => _isBatched = value == Cardinality.Many;
    }
}
