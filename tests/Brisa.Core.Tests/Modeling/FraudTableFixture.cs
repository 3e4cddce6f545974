using Brisa.Core.Definitions;
using Brisa.Core.Modeling;

namespace Brisa.Core.Tests.Modeling;

[CollectionDefinition(Name)]
public sealed class FraudTableCollection : ICollectionFixture<FraudTableFixture>
{
    public const string Name = "Bootstrap fraud training table";
}

/// <summary>400 customers × 21 days (seed 7), the sample fraud model, and one LightGBM run shared by the tests.</summary>
public sealed class FraudTableFixture
{
    public FraudTableFixture()
    {
        Model = BootstrapTrainingTable.FraudModel();
        Table = BootstrapTrainingTable.FromStream(BootstrapTrainingTable.Generate());
        Outcome = ModelTraining.Train(Model, Table, new TrainingOptions { DefinitionsVersion = "defs", GitCommit = "commit" });
    }

    public ModelDefinition Model { get; }

    public TrainingTable Table { get; }

    public TrainingOutcome Outcome { get; }
}
