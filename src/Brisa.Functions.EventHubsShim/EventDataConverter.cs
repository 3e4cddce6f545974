using Azure.Messaging.EventHubs;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// Stands where the official extension's <c>EventDataConverter</c> stands, advertising the same capabilities
/// (deferred binding for <see cref="EventData"/> and <see cref="EventData"/>[]), which is what makes the generated
/// binding carry <c>"SupportsDeferredBinding": "True"</c> like the official one.
/// </summary>
/// <remarks>
/// The offline build never meets a host that sends Event Hubs model binding data: the host-side WebJobs Event Hubs
/// extension cannot be restored here, so the trigger cannot start. The converter therefore declines every input;
/// the deploy build uses the official package and its real converter.
/// </remarks>
[SupportsDeferredBinding]
[SupportedTargetType(typeof(EventData))]
[SupportedTargetType(typeof(EventData[]))]
internal sealed class EventDataConverter : IInputConverter
{
    /// <inheritdoc/>
    public ValueTask<ConversionResult> ConvertAsync(ConverterContext context) => new(ConversionResult.Unhandled());
}
