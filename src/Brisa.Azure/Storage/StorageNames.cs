namespace Brisa.Azure.Storage;

/// <summary>Containers, tables and queues of the one Brisa storage account (DESIGN §5).</summary>
public static class StorageNames
{
    /// <summary>Accepted events as Parquet, Hive-partitioned by source, date and hour.</summary>
    public const string RawContainer = "raw";

    /// <summary>Rejected events as JSON lines with their reason.</summary>
    public const string DeadLetterContainer = "deadletter";

    /// <summary>Materialized feature values as Parquet.</summary>
    public const string OfflineContainer = "offline";

    /// <summary>Published definitions and the pointer to the current version.</summary>
    public const string RegistryContainer = "registry";

    /// <summary>Model versions, metadata and aliases.</summary>
    public const string ModelsContainer = "models";

    /// <summary>The prediction log.</summary>
    public const string PredictionsContainer = "predictions";

    /// <summary>Drift and statistics reports.</summary>
    public const string MonitoringContainer = "monitoring";

    /// <summary>Online features: one row per entity key and view.</summary>
    public const string OnlineTable = "online";

    /// <summary>Fan-out of materialization work, one message per view and range slice.</summary>
    public const string MaterializeQueue = "materialize";

    /// <summary>Retraining requests (on demand or on drift).</summary>
    public const string RetrainQueue = "retrain";

    /// <summary>Every container Brisa uses.</summary>
    public static IReadOnlyList<string> Containers { get; } =
        [RawContainer, DeadLetterContainer, OfflineContainer, RegistryContainer, ModelsContainer, PredictionsContainer, MonitoringContainer];

    /// <summary>Every queue Brisa uses.</summary>
    public static IReadOnlyList<string> Queues { get; } = [MaterializeQueue, RetrainQueue];
}
