using 'main.bicep'

// Development: small and cheap. deployerPrincipalId is passed by the deploy workflow on the command line.
param environmentName = 'dev'
param storageSkuName = 'Standard_LRS'
param eventHubsSkuName = 'Standard'
param eventHubsCapacity = 1
param eventHubsMaximumThroughputUnits = 0
param eventHubPartitionCount = 2
param eventHubRetentionInDays = 1
param functionsRuntimeVersion = '10.0'
param instanceMemoryMB = 2048
param maximumInstanceCount = 10
param logRetentionInDays = 30
param materializeSchedule = '0 */15 * * * *'
param retrainSchedule = '0 0 3 * * *'
param monitorDriftSchedule = '0 0 * * * *'

// Optional Brisa__* app settings (docs/operations.md), set here rather than by hand: each deployment replaces the app
// settings. E.g. param extraAppSettings = { Brisa__Serving__OnlineCacheTtl: '00:00:01' }
param extraAppSettings = {}

// Alerts (docs/operations.md, "Alerts"): who is e-mailed, and the thresholds operators tune. An empty list still fires
// every alert into the portal (Monitor > Alerts); nobody is e-mailed. E.g. ['oncall@example.com'].
param alertEmailAddresses = []
param rejectedEventsAlertThreshold = 0
param eventHubsThrottledRequestsAlertThreshold = 0
