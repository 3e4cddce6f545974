// Brisa on Azure (DESIGN §9): storage, Event Hubs, a Flex Consumption Function App, monitoring and its alerts, and the
// least-privilege role assignments between them. No connection strings or keys: every connection is identity-based.
targetScope = 'resourceGroup'

@description('Environment name, used in resource names and tags.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Azure region (one that offers Flex Consumption).')
param location string = resourceGroup().location

@description('Short prefix of every resource name.')
@minLength(2)
@maxLength(8)
param namePrefix string = 'brisa'

@description('Storage SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Days after which dead-lettered events are deleted (keep longer than you may want to replay them).')
@minValue(1)
param deadLetterRetentionDays int = 180

@description('Days after which the prediction log is deleted (keep at least the label window plus the drift and live-performance history you want).')
@minValue(60)
param predictionLogRetentionDays int = 400

@description('Days after which raw events and offline Parquet move to the Cool tier (never deleted; set it past the history retraining reads daily).')
@minValue(30)
param coolAfterDays int = 120

@description('Event Hubs namespace SKU.')
@allowed([
  'Standard'
  'Premium'
])
param eventHubsSkuName string = 'Standard'

@description('Event Hubs throughput (Standard) or processing (Premium) units.')
@minValue(1)
param eventHubsCapacity int = 1

@description('Standard only: the most throughput units auto-inflate may raise the namespace to when ingress is throttled (above eventHubsCapacity); 0 turns auto-inflate off. One partition takes at most one unit\'s ingress, so more than eventHubPartitionCount adds nothing for the one hub.')
@minValue(0)
@maxValue(40)
param eventHubsMaximumThroughputUnits int = 0

@description('Partition count of the `events` hub: the scale-out unit of IngestEvents. Fixed at creation: Standard cannot change it, Premium can only raise it.')
@minValue(1)
@maxValue(32)
param eventHubPartitionCount int = 4

@description('Event retention in the hub, in days.')
@minValue(1)
@maxValue(7)
param eventHubRetentionInDays int = 1

@description('.NET isolated runtime version on Flex Consumption. 10.0 is listed for dotnet-isolated on FC1; check `az functionapp list-flexconsumption-runtimes --location <region> --runtime dotnet-isolated`.')
param functionsRuntimeVersion string = '10.0'

@description('Flex Consumption instance memory in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Flex Consumption maximum instance count.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Log Analytics and Application Insights retention in days.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('NCRONTAB schedule of MaterializeFeatures (app setting Brisa__MaterializeSchedule).')
param materializeSchedule string = '0 */15 * * * *'

@description('NCRONTAB schedule of RetrainModels (app setting Brisa__RetrainSchedule).')
param retrainSchedule string = '0 0 3 * * *'

@description('NCRONTAB schedule of MonitorDrift (app setting Brisa__MonitorDriftSchedule).')
param monitorDriftSchedule string = '0 0 * * * *'

@description('More Function App settings, name to value: the optional `Brisa__*` settings of docs/operations.md (e.g. Brisa__Serving__OnlineCacheTtl). Names and values only, never a secret. Set them here: every deployment replaces the app settings, so one set by hand is gone after the next.')
param extraAppSettings object = {}

@description('E-mail addresses the alerts notify (the action group\'s receivers); empty: alerts still fire and show in the portal under Monitor > Alerts, and nobody is e-mailed.')
param alertEmailAddresses array = []

@description('Rejected events in 15 minutes (summed from the rejection Warnings) above which the rejected-events alert fires; 0: any. Raise it for a producer with a known trickle of bad events.')
@minValue(0)
param rejectedEventsAlertThreshold int = 0

@description('Event Hubs throttled requests in 15 minutes above which the throttling alert fires; 0: any. With auto-inflate each step up follows some throttling, so raise it if those steps should not notify.')
@minValue(0)
param eventHubsThrottledRequestsAlertThreshold int = 0

@description('Object ID of the principal that deploys and runs `brisa apply` (granted storage data roles); empty: none.')
param deployerPrincipalId string = ''

@description('Principal type of deployerPrincipalId.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param deployerPrincipalType string = 'ServicePrincipal'

@description('Extra resource tags.')
param tags object = {}

var suffix = uniqueString(resourceGroup().id, environmentName)
var allTags = union(tags, {
  application: 'brisa'
  environment: environmentName
})
var names = {
  storage: take('st${namePrefix}${environmentName}${suffix}', 24)
  eventHubsNamespace: 'evhns-${namePrefix}-${environmentName}-${suffix}'
  workspace: 'log-${namePrefix}-${environmentName}-${suffix}'
  appInsights: 'appi-${namePrefix}-${environmentName}-${suffix}'
  plan: 'plan-${namePrefix}-${environmentName}-${suffix}'
  functionApp: 'func-${namePrefix}-${environmentName}-${suffix}'
}
var deploymentContainerName = 'app-package'
var eventHubName = 'events'
var consumerGroupName = 'brisa'

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    skuName: storageSkuName
    deploymentContainerName: deploymentContainerName
    tags: allTags
    deadLetterRetentionDays: deadLetterRetentionDays
    predictionLogRetentionDays: predictionLogRetentionDays
    coolAfterDays: coolAfterDays
    workspaceId: monitoring.outputs.workspaceId
  }
}

module eventHubs 'modules/eventhubs.bicep' = {
  name: 'eventhubs'
  params: {
    namespaceName: names.eventHubsNamespace
    location: location
    skuName: eventHubsSkuName
    capacity: eventHubsCapacity
    maximumThroughputUnits: eventHubsMaximumThroughputUnits
    hubName: eventHubName
    partitionCount: eventHubPartitionCount
    messageRetentionInDays: eventHubRetentionInDays
    consumerGroupName: consumerGroupName
    tags: allTags
    workspaceId: monitoring.outputs.workspaceId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    retentionInDays: logRetentionInDays
    tags: allTags
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: allTags
    runtimeVersion: functionsRuntimeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    eventHubName: eventHubs.outputs.hubName
    eventHubConsumerGroup: eventHubs.outputs.consumerGroupName
    appInsightsConnectionString: monitoring.outputs.connectionString
    materializeSchedule: materializeSchedule
    retrainSchedule: retrainSchedule
    monitorDriftSchedule: monitorDriftSchedule
    extraAppSettings: extraAppSettings
    workspaceId: monitoring.outputs.workspaceId
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    // Names as deploy-time constants for what-if (as for the role assignments); the host name and the workspace ID are
    // outputs, which order this module after the app, the workspace and the namespace.
    nameSuffix: '${namePrefix}-${environmentName}-${suffix}'
    actionGroupShortName: '${namePrefix}${environmentName}'
    location: location
    tags: allTags
    emailAddresses: alertEmailAddresses
    workspaceId: monitoring.outputs.workspaceId
    appInsightsName: names.appInsights
    functionAppHostName: functionApp.outputs.defaultHostName
    eventHubsNamespaceName: names.eventHubsNamespace
    rejectedEventsThreshold: rejectedEventsAlertThreshold
    throttledRequestsThreshold: eventHubsThrottledRequestsAlertThreshold
  }
}

module roleAssignments 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  params: {
    // Names are deploy-time constants, so what-if predicts the assignments precisely. The principal ID is known only
    // once the app exists, which also orders this module after every other one.
    storageAccountName: names.storage
    eventHubsNamespaceName: names.eventHubsNamespace
    eventHubName: eventHubName
    appInsightsName: names.appInsights
    functionAppName: names.functionApp
    functionPrincipalId: functionApp.outputs.principalId
    deployerPrincipalId: deployerPrincipalId
    deployerPrincipalType: deployerPrincipalType
  }
}

@description('Function App name (for code deployment).')
output functionAppName string = functionApp.outputs.name

@description('Function App default host name (https://<host>/api/health).')
output functionAppHostName string = functionApp.outputs.defaultHostName

@description('Storage account name.')
output storageAccountName string = storage.outputs.name

@description('Blob endpoint (AzureWebJobsStorage__blobServiceUri).')
output storageBlobEndpoint string = storage.outputs.blobEndpoint

@description('Queue endpoint (AzureWebJobsStorage__queueServiceUri).')
output storageQueueEndpoint string = storage.outputs.queueEndpoint

@description('Table endpoint (AzureWebJobsStorage__tableServiceUri).')
output storageTableEndpoint string = storage.outputs.tableEndpoint

@description('Event Hubs fully qualified namespace (producers send here with Azure Event Hubs Data Sender).')
output eventHubsFullyQualifiedNamespace string = eventHubs.outputs.fullyQualifiedNamespace

@description('Event hub name.')
output eventHubName string = eventHubs.outputs.hubName
