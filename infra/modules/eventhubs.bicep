// Event Hubs namespace, the `events` hub and Brisa's consumer group. SAS (local) auth is disabled.

@description('Namespace name.')
param namespaceName string

@description('Azure region.')
param location string

@description('Namespace SKU (Standard or Premium; Basic has no consumer groups beyond $Default).')
@allowed([
  'Standard'
  'Premium'
])
param skuName string

@description('Throughput or processing units.')
@minValue(1)
param capacity int

@description('Standard only: the most throughput units auto-inflate may raise the namespace to; 0 turns auto-inflate off.')
@minValue(0)
@maxValue(40)
param maximumThroughputUnits int

@description('Hub name.')
param hubName string

@description('Partition count of the hub (the Functions scale-out unit for IngestEvents; fixed on Standard once created).')
@minValue(1)
@maxValue(32)
param partitionCount int

@description('Message retention in days.')
@minValue(1)
@maxValue(7)
param messageRetentionInDays int

@description('Consumer group that Brisa reads with.')
param consumerGroupName string

@description('Resource tags.')
param tags object

@description('Log Analytics workspace resource ID that receives the diagnostic logs and metrics.')
param workspaceId string

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
    capacity: capacity
  }
  properties: {
    // Auto-inflate raises the throughput units when ingress is throttled and never lowers them; each deployment sets
    // them back to `capacity`. Premium has no auto-inflate (it scales by processing units).
    isAutoInflateEnabled: maximumThroughputUnits > 0
    maximumThroughputUnits: maximumThroughputUnits == 0 || (skuName == 'Standard' && maximumThroughputUnits > capacity)
      ? maximumThroughputUnits
      : fail('maximumThroughputUnits (${maximumThroughputUnits}) must be 0 (auto-inflate off), or above capacity (${capacity}) on Standard: Premium has no auto-inflate')
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: hubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: messageRetentionInDays
  }
}

resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: hub
  name: consumerGroupName
}

// Every metric (incoming and throttled requests, bytes, the throughput units in use), and the low-volume logs:
// management operations, auto-inflate decisions, and data-plane access (RuntimeAuditLogs: Premium only, nothing on
// Standard). Into resource-specific tables (AZMS*), not AzureDiagnostics.
resource namespaceDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        category: 'OperationalLogs'
        enabled: true
      }
      {
        category: 'AutoScaleLogs'
        enabled: true
      }
      {
        category: 'RuntimeAuditLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Namespace name.')
output namespaceName string = namespace.name

// serviceBusEndpoint is https://<ns>.servicebus.<cloud suffix>:443/; the trigger wants the bare host name.
@description('Fully qualified namespace, e.g. <ns>.servicebus.windows.net.')
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]

@description('Hub name.')
output hubName string = hub.name

@description('Consumer group name.')
output consumerGroupName string = consumerGroup.name
