// Least-privilege data-plane roles for the Function App's identity (and optionally the deploying principal).
import { roleDefinitionIds } from 'roles.bicep'

@description('Storage account name.')
param storageAccountName string

@description('Event Hubs namespace name.')
param eventHubsNamespaceName string

@description('Event hub name (the receiver role is scoped to this hub, not the namespace).')
param eventHubName string

@description('Application Insights name.')
param appInsightsName string

@description('Function App name (a stable seed of the role assignment names).')
param functionAppName string

@description('Principal ID of the Function App system-assigned identity.')
param functionPrincipalId string

@description('Object ID of the principal that deploys and runs `brisa apply` (the GitHub OIDC service principal); empty: none.')
param deployerPrincipalId string

@description('Principal type of the deploying principal.')
@allowed([
  'ServicePrincipal'
  'User'
  'Group'
])
param deployerPrincipalType string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName

  resource hub 'eventhubs' existing = {
    name: eventHubName
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

var storageRolesForFunction = [
  roleDefinitionIds.storageBlobDataOwner
  roleDefinitionIds.storageQueueDataContributor
  roleDefinitionIds.storageTableDataContributor
]

var storageRolesForDeployer = [
  roleDefinitionIds.storageBlobDataContributor
  roleDefinitionIds.storageQueueDataContributor
  roleDefinitionIds.storageTableDataContributor
]

resource functionStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRolesForFunction: {
    name: guid(storage.id, functionAppName, roleId)
    scope: storage
    properties: {
      principalId: functionPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource functionEventHubsReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(namespace::hub.id, functionAppName, roleDefinitionIds.eventHubsDataReceiver)
  scope: namespace::hub
  properties: {
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.eventHubsDataReceiver)
  }
}

resource functionMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, functionAppName, roleDefinitionIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionIds.monitoringMetricsPublisher)
  }
}

resource deployerStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRolesForDeployer: if (!empty(deployerPrincipalId)) {
    name: guid(storage.id, deployerPrincipalId, roleId)
    scope: storage
    properties: {
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]
