// Brisa's one storage account (DESIGN §5) plus the Flex Consumption deployment container. Keys are disabled.

@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Storage SKU, e.g. Standard_LRS (dev) or Standard_ZRS (prod).')
param skuName string

@description('Container that holds the Function App deployment package.')
param deploymentContainerName string

@description('Resource tags.')
param tags object

@description('Days after which `deadletter` records (original bytes of rejected events) are deleted.')
@minValue(1)
param deadLetterRetentionDays int

@description('Days after which `predictions` (the prediction log: entity keys, request fields, scores) are deleted.')
@minValue(1)
param predictionLogRetentionDays int

@description('Days after which `raw` and `offline` blobs move to the Cool tier. They are never deleted by a rule.')
@minValue(1)
param coolAfterDays int

@description('Log Analytics workspace resource ID that receives the diagnostic logs and metrics.')
param workspaceId string

// Must match Brisa.Azure.Storage.StorageNames (a test compares them).
var containerNames = [
  'raw'
  'deadletter'
  'offline'
  'registry'
  'models'
  'predictions'
  'monitoring'
]
var queueNames = [
  'materialize'
  'retrain'
]
var tableNames = [
  'online'
]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in concat(containerNames, [deploymentContainerName]): {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// Retention (DESIGN §5): `raw` is the source of truth for training, backfills and tile rebuilds, and `offline`,
// `registry`, `models` and `monitoring` are small or needed for rollbacks, so no rule deletes them; they only cool.
// Dead letters and the prediction log hold what producers and callers sent and are deleted after their retention.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'deadletter-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['deadletter/']
            }
            actions: {
              baseBlob: {
                delete: { daysAfterModificationGreaterThan: deadLetterRetentionDays }
              }
            }
          }
        }
        {
          name: 'predictions-retention'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['predictions/']
            }
            actions: {
              baseBlob: {
                delete: { daysAfterModificationGreaterThan: predictionLogRetentionDays }
              }
            }
          }
        }
        {
          name: 'raw-and-offline-cool'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['raw/', 'offline/']
            }
            actions: {
              baseBlob: {
                tierToCool: { daysAfterModificationGreaterThan: coolAfterDays }
              }
            }
          }
        }
      ]
    }
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

// Diagnostic settings (docs/deploy.md, "Diagnostics"): transaction metrics everywhere, and the change trail
// (StorageWrite, StorageDelete) where writes are few and matter: blobs (models, registry, monitoring pages) and
// queues. Never StorageRead, one row per read of every feature and model. The table gets deletes only: every ingested
// batch writes online tiles, so its writes would cost about as much as the events themselves.
var transactionMetrics = [
  {
    category: 'Transaction'
    enabled: true
  }
]
var changeLogs = [
  {
    category: 'StorageWrite'
    enabled: true
  }
  {
    category: 'StorageDelete'
    enabled: true
  }
]

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: workspaceId
    metrics: transactionMetrics
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: workspaceId
    logs: changeLogs
    metrics: transactionMetrics
  }
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: queueService
  properties: {
    workspaceId: workspaceId
    logs: changeLogs
    metrics: transactionMetrics
  }
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: tableService
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
    metrics: transactionMetrics
  }
}

@description('Storage account name.')
output name string = account.name

@description('Blob service endpoint, e.g. https://<account>.blob.core.windows.net/.')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue service endpoint.')
output queueEndpoint string = account.properties.primaryEndpoints.queue

@description('Table service endpoint.')
output tableEndpoint string = account.properties.primaryEndpoints.table
