// Log Analytics workspace and workspace-based Application Insights with local (instrumentation key) auth disabled:
// telemetry is accepted only from identities holding Monitoring Metrics Publisher.

@description('Log Analytics workspace name.')
param workspaceName string

@description('Application Insights name.')
param appInsightsName string

@description('Azure region.')
param location string

@description('Log retention in days.')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Resource tags.')
param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
    IngestionMode: 'LogAnalytics'
    RetentionInDays: retentionInDays
  }
}

@description('Application Insights name.')
output appInsightsName string = appInsights.name

// The one workspace: Application Insights stores its telemetry here, and every diagnostic setting sends here too, so
// one query reaches both.
@description('Log Analytics workspace resource ID (Application Insights and the diagnostic settings send here).')
output workspaceId string = workspace.id

// The connection string names the ingestion endpoint and the instrumentation key, an identifier that is not a
// credential once local auth is disabled (every ingestion call must carry an Entra token).
@description('Application Insights connection string (no credential).')
output connectionString string = appInsights.properties.ConnectionString
