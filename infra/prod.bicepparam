using 'main.bicep'

// Production: zone-redundant storage, more partitions (the IngestEvents scale-out unit), Event Hubs auto-inflate up to
// one throughput unit per partition, longer retention.
param environmentName = 'prod'
param storageSkuName = 'Standard_ZRS'
param eventHubsSkuName = 'Standard'
param eventHubsCapacity = 2
param eventHubsMaximumThroughputUnits = 8
param eventHubPartitionCount = 8
param eventHubRetentionInDays = 7
param functionsRuntimeVersion = '10.0'
param instanceMemoryMB = 2048
param maximumInstanceCount = 100
param logRetentionInDays = 90
param materializeSchedule = '0 */15 * * * *'
param retrainSchedule = '0 0 3 * * *'
param monitorDriftSchedule = '0 0 * * * *'

// Optional Brisa__* app settings (docs/operations.md), set here rather than by hand: each deployment replaces the app
// settings. E.g. param extraAppSettings = { Brisa__Serving__OnlineCacheTtl: '00:00:01' }
param extraAppSettings = {}

// Alerts (docs/operations.md, "Alerts"): who is e-mailed, and the thresholds operators tune. An empty list still fires
// every alert into the portal (Monitor > Alerts); nobody is e-mailed: put the on-call address here before going live.
// Throttling: auto-inflate steps up after some throttling, so a few throttled requests are how prod grows.
param alertEmailAddresses = []
param rejectedEventsAlertThreshold = 0
param eventHubsThrottledRequestsAlertThreshold = 0
