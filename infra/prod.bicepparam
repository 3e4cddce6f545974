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
