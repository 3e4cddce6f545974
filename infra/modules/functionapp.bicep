// Flex Consumption Function App (.NET isolated), system-assigned identity, identity-based connections only.

@description('Function App name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object

@description('.NET isolated runtime version on Flex Consumption (e.g. 10.0).')
param runtimeVersion string

@description('Instance memory in MB (Flex Consumption: 512, 2048 or 4096).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Maximum number of instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Storage account blob endpoint (https://<account>.blob.<suffix>/).')
param storageBlobEndpoint string

@description('Storage account queue endpoint.')
param storageQueueEndpoint string

@description('Storage account table endpoint.')
param storageTableEndpoint string

@description('Container in the storage account that holds the deployment package.')
param deploymentContainerName string

@description('Event Hubs fully qualified namespace (<ns>.servicebus.windows.net).')
param eventHubsFullyQualifiedNamespace string

@description('Event hub name.')
param eventHubName string

@description('Consumer group name.')
param eventHubConsumerGroup string

@description('Application Insights connection string (no credential: local auth is disabled).')
param appInsightsConnectionString string

@description('NCRONTAB schedule of MaterializeFeatures.')
param materializeSchedule string

@description('NCRONTAB schedule of RetrainModels.')
param retrainSchedule string

@description('NCRONTAB schedule of MonitorDrift.')
param monitorDriftSchedule string

@description('More app settings, name to value (the optional Brisa__* settings), added after the ones this module sets.')
param extraAppSettings object

@description('Log Analytics workspace resource ID that receives the diagnostic metrics (the one Application Insights uses).')
param workspaceId string

// Flex Consumption sets the worker runtime from functionAppConfig.runtime: FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION must not be app settings. Every setting below is an endpoint or a name.
var managedAppSettings = [
  // Host storage and Brisa's own storage (BrisaStorage.FromConfiguration), by managed identity.
  {
    name: 'AzureWebJobsStorage__blobServiceUri'
    value: storageBlobEndpoint
  }
  {
    name: 'AzureWebJobsStorage__queueServiceUri'
    value: storageQueueEndpoint
  }
  {
    name: 'AzureWebJobsStorage__tableServiceUri'
    value: storageTableEndpoint
  }
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  // IngestEvents: connection "EventHub", hub %EventHubName%, consumer group %EventHubConsumerGroup%.
  {
    name: 'EventHub__fullyQualifiedNamespace'
    value: eventHubsFullyQualifiedNamespace
  }
  {
    name: 'EventHub__credential'
    value: 'managedidentity'
  }
  {
    name: 'EventHubName'
    value: eventHubName
  }
  {
    name: 'EventHubConsumerGroup'
    value: eventHubConsumerGroup
  }
  // Timer schedules (%Brisa:MaterializeSchedule%, %Brisa:RetrainSchedule%, %Brisa:MonitorDriftSchedule%).
  {
    name: 'Brisa__MaterializeSchedule'
    value: materializeSchedule
  }
  {
    name: 'Brisa__RetrainSchedule'
    value: retrainSchedule
  }
  {
    name: 'Brisa__MonitorDriftSchedule'
    value: monitorDriftSchedule
  }
  // Application Insights with Entra ID auth (system-assigned identity).
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: appInsightsConnectionString
  }
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'Authorization=AAD'
  }
]

// An extra setting may not replace one of the above (their own parameters set them): the deployment fails naming it.
var extraAppSettingClashes = intersection(map(managedAppSettings, setting => toLower(setting.name)), map(objectKeys(extraAppSettings), name => toLower(name)))

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: runtimeVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // Every deployment replaces the whole list: a setting added by hand is gone after the next one.
      appSettings: empty(extraAppSettingClashes)
        ? concat(managedAppSettings, map(items(extraAppSettings), setting => { name: setting.key, value: string(setting.value) }))
        : fail('extraAppSettings may not set ${join(extraAppSettingClashes, ', ')}: the template sets it from its own parameter')
    }
  }
}

// No basic (user name and password) publishing: deployments authenticate with Entra ID (OIDC in GitHub Actions).
resource ftpPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// Platform metrics only: the app's logs already reach the same workspace through Application Insights, so
// FunctionAppLogs would store every host log line twice.
resource siteDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: workspaceId
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Function App name.')
output name string = site.name

@description('Default host name.')
output defaultHostName string = site.properties.defaultHostName

@description('Principal ID of the system-assigned identity.')
output principalId string = site.identity.principalId
