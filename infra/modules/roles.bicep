// The one place that names Azure built-in role definition IDs. Every role assignment in infra/ imports this map.
// Verified against the Azure built-in roles reference (tests/Brisa.Infra.Tests checks the values).

@export()
@description('Built-in role definition IDs (GUIDs), by role.')
var roleDefinitionIds = {
  // Microsoft.Storage: full data access to blobs, incl. the Flex Consumption deployment container.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Microsoft.Storage: blob data read/write/delete (the deploying principal, for `brisa apply`).
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  // Microsoft.Storage: queue messages (materialize, retrain queues; Functions host internals).
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Microsoft.Storage: table entities (the `online` table).
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Microsoft.EventHub: receive events (the IngestEvents trigger).
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  // Microsoft.Insights: publish telemetry to an Application Insights resource with local auth disabled.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
