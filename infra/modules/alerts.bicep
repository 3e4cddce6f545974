// The alerts docs/operations.md tells operators to watch, as resources: an action group, a standard availability test
// on /api/health, log alerts over the workspace-based Application Insights tables (AppRequests, AppTraces) and a metric
// alert on Event Hubs throttling. Every KQL filter quotes a fragment of a log template the code emits;
// tests/Brisa.Infra.Tests/AlertTests.cs finds each one in src/, so a reworded message fails a test, not the alert.

@description('Name suffix shared by every resource here (<prefix>-<environment>-<unique string>).')
param nameSuffix string

@description('Short name of the action group in e-mails and SMS (at most 12 characters).')
@maxLength(12)
param actionGroupShortName string

@description('Azure region of the availability test and the log alerts (the Application Insights region).')
param location string

@description('Resource tags.')
param tags object

@description('E-mail addresses the action group notifies; empty: alerts still fire and show in the portal (Monitor > Alerts), nobody is e-mailed.')
param emailAddresses array

@description('Log Analytics workspace resource ID (Application Insights stores its telemetry there).')
param workspaceId string

@description('Application Insights name (the availability test reports into it).')
param appInsightsName string

@description('Function App default host name; the availability test calls https://<host>/api/health.')
param functionAppHostName string

@description('Event Hubs namespace name (scope of the throttling alert).')
param eventHubsNamespaceName string

@description('Rejected events (summed over the batches that log them) in 15 minutes above which the rejected-events alert fires.')
@minValue(0)
param rejectedEventsThreshold int

@description('Event Hubs throttled requests in 15 minutes above which the throttling alert fires.')
@minValue(0)
param throttledRequestsThreshold int

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${nameSuffix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: actionGroupShortName
    enabled: true
    emailReceivers: [
      for (address, i) in emailAddresses: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

// Five probe locations on three continents; the alert fires when two fail at once, so one location's network trouble
// does not page anyone.
var healthTestLocations = [
  'us-va-ash-azr' // East US
  'us-ca-sjc-azr' // West US
  'emea-nl-ams-azr' // West Europe
  'emea-gb-db3-azr' // North Europe
  'apac-sg-sin-azr' // Southeast Asia
]

resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: 'avail-health-${nameSuffix}'
  location: location
  // The hidden link is how the portal and the availability metric tie a test to its Application Insights resource.
  tags: union(tags, {
    'hidden-link:${appInsights.id}': 'Resource'
  })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'avail-health-${nameSuffix}'
    Name: 'GET /api/health (${nameSuffix})'
    Description: 'Brisa health: storage, definitions and every champion load (docs/operations.md, "Is it healthy?").'
    Enabled: true
    Kind: 'standard'
    Frequency: 300
    // A cold Flex Consumption instance loads every champion before it answers; 30 s is too short for that.
    Timeout: 60
    RetryEnabled: true
    Locations: [for id in healthTestLocations: { Id: id }]
    Request: {
      RequestUrl: 'https://${functionAppHostName}/api/health'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      IgnoreHttpStatusCode: false
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource healthAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-health-${nameSuffix}'
  location: 'global'
  tags: tags
  properties: {
    description: 'GET /api/health failed (503 names the failing check, or no answer) from at least 2 of 5 locations.'
    severity: 1
    enabled: true
    scopes: [
      healthTest.id
      appInsights.id
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: appInsights.id
      failedLocationCount: 2
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource throttlingAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-eventhubs-throttled-${nameSuffix}'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Hubs throttled producers or IngestEvents: the namespace needs more throughput units (docs/deploy.md, "Event Hubs throughput").'
    severity: 2
    enabled: true
    scopes: [
      namespace.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'throttled'
          metricNamespace: 'Microsoft.EventHub/namespaces'
          metricName: 'ThrottledRequests'
          operator: 'GreaterThan'
          threshold: throttledRequestsThreshold
          timeAggregation: 'Total'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// One log alert per row. `dimension` splits the results into one alert per value (a function, a model); `measure`
// sums that column instead of counting rows; `autoMitigate: false` makes a notice rather than a condition that resolves.
// Counts are lower bounds: host.json samples log lines (not requests), so a sampled-out line is not seen; the rejected
// events are weighted by ItemCount, the number of lines each kept one stands for.
var logAlerts = [
  {
    name: 'ingest-failed'
    description: 'IngestEvents invocations failed: the partition waits and its batch is retried until it succeeds (docs/operations.md, "A partition stopped").'
    severity: 1
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
AppRequests
| where Name in ("IngestEvents") and Success == false
| project TimeGenerated, Name
'''
    dimension: 'Name'
    measure: ''
    threshold: 0
    autoMitigate: true
  }
  {
    name: 'background-failed'
    description: 'A timer or queue function failed (materialization, retraining, drift check); the log names the model or slice.'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
AppRequests
| where Name in ("MaterializeFeatures", "MaterializeSlice", "RetrainModels", "RetrainModelOnRequest", "MonitorDrift") and Success == false
| project TimeGenerated, Name
'''
    dimension: 'Name'
    measure: ''
    threshold: 0
    autoMitigate: true
  }
  {
    name: 'http-5xx'
    description: 'An HTTP API answered 5xx (predict, online features, events, catalog, model, monitoring): a failure on Brisa\'s side, not the caller\'s; a 500 names the id of the Error logged with it (docs/operations.md, "Alerts").'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
AppRequests
| where Name in ("Catalog", "CatalogPage", "CatalogView", "ModelInfo", "Monitoring", "OnlineFeatures", "Predict", "PushEvents") and toint(ResultCode) >= 500
| project TimeGenerated, Name
'''
    dimension: 'Name'
    measure: ''
    threshold: 0
    autoMitigate: true
  }
  {
    name: 'events-rejected'
    description: 'Events were rejected and dead-lettered (IngestEvents or POST /api/events); the Warning names sources and reasons.'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
AppTraces
| where Message contains "were rejected and dead-lettered"
| extend Rejected = toint(extract(@"^(\d+) of ", 1, Message)) * ItemCount
| project TimeGenerated, Rejected
'''
    dimension: ''
    measure: 'Rejected'
    threshold: rejectedEventsThreshold
    autoMitigate: true
  }
  {
    name: 'online-row-too-large'
    description: 'Online rows left unwritten: they would pass Table storage\'s 1 MiB entity limit (docs/operations.md, "An online row too large").'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
AppTraces
| where Message contains "1 MiB entity limit"
| project TimeGenerated
'''
    dimension: ''
    measure: ''
    threshold: 0
    autoMitigate: true
  }
  {
    name: 'drift'
    description: 'MonitorDrift: a model\'s dataset drift verdict is alert (docs/operations.md, "Drift").'
    severity: 3
    frequency: 'PT15M'
    window: 'PT1H'
    query: '''
AppTraces
| where Message startswith "Drift alert on "
| parse Message with "Drift alert on " Model ": " *
| project TimeGenerated, Model
'''
    dimension: 'Model'
    measure: ''
    threshold: 0
    autoMitigate: true
  }
  {
    name: 'live-performance'
    description: 'MonitorDrift: a model\'s live performance verdict is alert (live AUC or MAE significantly worse than validation).'
    severity: 2
    frequency: 'PT15M'
    window: 'PT1H'
    query: '''
AppTraces
| where Message startswith "Live performance alert on "
| parse Message with "Live performance alert on " Model ": " *
| project TimeGenerated, Model
'''
    dimension: 'Model'
    measure: ''
    threshold: 0
    autoMitigate: true
  }
  {
    name: 'promoted'
    description: 'Notice: a retraining promoted a new champion (promotions and rollbacks made with the CLI are not logged here: models/<model>/history.jsonl).'
    severity: 4
    frequency: 'PT15M'
    window: 'PT15M'
    query: '''
AppTraces
| where Message startswith "Retrained " and Message contains ": Promoted ("
| parse Message with "Retrained " Model ": " *
| project TimeGenerated, Model
'''
    dimension: 'Model'
    measure: ''
    threshold: 0
    autoMitigate: false
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in logAlerts: {
    name: 'alert-${alert.name}-${nameSuffix}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: 'Brisa ${alert.name} (${nameSuffix})'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        workspaceId
      ]
      evaluationFrequency: alert.frequency
      windowSize: alert.window
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: empty(alert.measure) ? 'Count' : 'Total'
            metricMeasureColumn: empty(alert.measure) ? null : alert.measure
            dimensions: empty(alert.dimension)
              ? []
              : [
                  {
                    name: alert.dimension
                    operator: 'Include'
                    values: [
                      '*'
                    ]
                  }
                ]
            operator: 'GreaterThan'
            threshold: alert.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: alert.autoMitigate
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]
