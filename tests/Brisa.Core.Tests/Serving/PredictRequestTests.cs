using System.Text;
using Brisa.Core.Definitions;
using Brisa.Core.Serving;
using Brisa.Core.Tests.Definitions;
using Brisa.Core.Training;
using FeaturePlan = Brisa.Core.Features.FeaturePlan;

namespace Brisa.Core.Tests.Serving;

public sealed class PredictRequestTests
{
    private static readonly FeatureRepositoryDefinition Definitions = SampleDefinitionsTests.LoadSample();
    private static readonly FeatureRequirements Requirements =
        TrainingSetBuilder.ForModel(FeaturePlan.Compile(Definitions, trackEventIds: true), Definitions.FindModel("fraud")!).Requirements;

    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);


    // The sample's model with an optional long request field, installments.
    private static FeatureRequirements WithInstallments()
    {
        var yaml = File.ReadAllText(SampleDefinitionsTests.SamplePath())
            .Replace("      - { name: channel, type: string, required: true, allowed: [pos, online, atm] }", "      - { name: channel, type: string, required: true, allowed: [pos, online, atm] }\n      - { name: installments, type: long }", StringComparison.Ordinal)
            .Replace("request_fields: [amount, country, channel, currency]", "request_fields: [amount, country, channel, currency, installments]", StringComparison.Ordinal);
        var definitions = DefinitionLoader.Parse(yaml, "features.yaml").Definitions!;
        return TrainingSetBuilder.ForModel(FeaturePlan.Compile(definitions, trackEventIds: true), definitions.FindModel("fraud")!).Requirements;
    }

    private static ObservationSet Parse(string json) => PredictRequest.Parse(Encoding.UTF8.GetBytes(json), Requirements, Now, "req");

    [Fact]
    public void Parse_SingleInstance_KeysAndTypedRequestFields()
    {
        var set = Parse("""{"customer_id":"c1","merchant_id":"m1","amount":12.5,"currency":"EUR","country":"ES","channel":"pos"}""");

        Assert.Equal(1, set.Count);
        Assert.Equal("req-0", set.IdOf(0));
        Assert.Equal("c1", set.KeyOf(0, Requirements.EntityKeyFields.ToList().IndexOf("customer_id")));
        var amount = Requirements.RequestFields.ToList().FindIndex(f => f.Name == "amount");
        Assert.Equal(12.5, set.RequestValueOf(0, amount).AsNumber());
    }

    [Fact]
    public void Parse_Instances_KeepsOrderAndIds()
    {
        var set = Parse("""{"instances":[{"id":"t1","customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"},{"customer_id":"c2","merchant_id":"m2","amount":2,"currency":"EUR","country":"FR","channel":"online"}]}""");

        Assert.Equal(["t1", "req-1"], [set.IdOf(0), set.IdOf(1)]);
    }

    [Fact]
    public void IsGeneratedId_ParsedInstances_TrueOnlyForTheOneSentWithoutId()
    {
        var set = Parse("""{"instances":[{"id":"t1","customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"},{"customer_id":"c2","merchant_id":"m2","amount":2,"currency":"EUR","country":"FR","channel":"online"}]}""");

        Assert.False(PredictRequest.IsGeneratedId(set.IdOf(0), "req"));
        Assert.True(PredictRequest.IsGeneratedId(set.IdOf(1), "req"));
    }

    [Theory]
    [InlineData("req-01")]
    [InlineData("req-")]
    [InlineData("req-1000")]
    [InlineData("req-+1")]
    [InlineData("req_1")]
    [InlineData("other-1")]
    [InlineData("req-1-2")]
    public void IsGeneratedId_NotWhatParseGenerates_False(string id)
    {
        // Ids a caller may send that only look close: the monitor joins them with labels.
        Assert.False(PredictRequest.IsGeneratedId(id, "req"));
    }

    [Fact]
    public void Parse_IntegerId_KeptAsText()
    {
        // An integer transaction id names the instance as a string one does (response, log, join with labels).
        var set = Parse("""{"instances":[{"id":12345,"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"},{"id":null,"customer_id":"c2","merchant_id":"m2","amount":1,"currency":"EUR","country":"ES","channel":"pos"}]}""");

        Assert.Equal(["12345", "req-1"], [set.IdOf(0), set.IdOf(1)]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4097)]
    public void Parse_EmptyOrOverlongId_InvalidFieldNotALogRowThatJoinsNothing(int length)
    {
        var json = $$"""{"id":"{{new string('t', length)}}","customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"}""";

        var error = Assert.Throws<ServingException>(() => Parse(json));

        Assert.Equal(400, error.Status);
        Assert.Contains("Instance 0: 'id' must be 1 to 4096 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BodyWithUtf8ByteOrderMark_ReadAsWithout()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"id":"t1","customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"}""")).ToArray();

        var set = PredictRequest.Parse(body, Requirements, Now, "req");

        Assert.Equal("t1", set.IdOf(0));
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("3.0")]
    [InlineData("1e300")]
    public void Parse_NonIntegerForALongField_InvalidField(string installments)
    {
        // Ingestion rejects a non-integer for a long field, so the model never saw one: serving must not score it.
        var requirements = WithInstallments();
        Assert.Contains(requirements.RequestFields, f => f.Name == "installments" && f.Type == FieldType.Long);
        var ok = PredictRequest.Parse(Encoding.UTF8.GetBytes("""{"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos","installments":3}"""), requirements, Now, "req");
        Assert.Equal(1, ok.Count);

        var error = Assert.Throws<ServingException>(() => PredictRequest.Parse(
            Encoding.UTF8.GetBytes($$"""{"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos","installments":{{installments}}}"""), requirements, Now, "req"));

        Assert.Equal(400, error.Status);
        Assert.Contains("field 'installments' must be long; got number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OptionalRequestFieldMissing_Null()
    {
        // A field the source does not require may be missing in events too, so the model has seen it missing.
        var requirements = WithInstallments();
        var installments = requirements.RequestFields.ToList().FindIndex(f => f.Name == "installments");

        var set = PredictRequest.Parse(Encoding.UTF8.GetBytes("""{"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"}"""), requirements, Now, "req");

        Assert.True(set.RequestValueOf(0, installments).IsNull);
    }

    [Theory]
    [InlineData("""{"customer_id":"c1","merchant_id":"m1","country":"ES"}""", "Instance 0: missing required request fields 'amount', 'channel', 'currency'")]
    [InlineData("""{"customer_id":"c1","merchant_id":"m1","amount":null,"currency":"EUR","country":"ES","channel":"pos"}""", "Instance 0: missing required request field 'amount'")]
    [InlineData("""{"instances":[{"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"},{"customer_id":"c2","merchant_id":"m2","amount":2,"currency":"EUR","channel":"pos"}]}""", "Instance 1: missing required request field 'country'")]
    public void Parse_RequiredRequestFieldMissing_MissingRequestField(string json, string message)
    {
        // Ingestion dead-letters a transaction without amount, country or channel, so the model never saw one missing:
        // scoring it with the field as missing would be skew the caller never hears about.
        var error = Assert.Throws<ServingException>(() => Parse(json));

        Assert.Equal(400, error.Status);
        Assert.Equal("Missing request field", error.Title);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IgnoredFieldTheVersionDoesNotRead_AcceptedOthersStillRefused()
    {
        // The fields of the observation source (Predictor passes them): a rolled-back version reads fewer of them.
        const string Json = """{"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos","installments":3}""";
        Assert.Throws<ServingException>(() => Parse(Json));

        var set = PredictRequest.Parse(Encoding.UTF8.GetBytes(Json), Requirements, Now, "req", new HashSet<string> { "installments" });
        var typo = Assert.Throws<ServingException>(() => PredictRequest.Parse(Encoding.UTF8.GetBytes(Json.Replace("installments", "instalments", StringComparison.Ordinal)), Requirements, Now, "req", new HashSet<string> { "installments" }));

        Assert.Equal(1, set.Count);
        Assert.Contains("unknown field 'instalments'", typo.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"customer_id":"c1"}""", "missing entity key 'merchant_id'")]
    [InlineData("""{"customer_id":"c1","merchant_id":"m1","amount":"ten"}""", "field 'amount' must be double; got string")]
    [InlineData("""{"customer_id":"c1","merchant_id":"m1","amount":-3}""", "field 'amount' = -3 is outside")]
    [InlineData("""{"customer_id":"c1","merchant_id":"m1","channel":"fax"}""", "field 'channel' = 'fax' is not allowed")]
    [InlineData("""{"customer_id":"c1","merchant_id":"m1","colour":"red"}""", "unknown field 'colour'")]
    [InlineData("""{"instances":[]}""", "Send 1 to 1000 instances; got 0")]
    [InlineData("""{"instances":{}}""", "'instances' must be a list of objects.")]
    [InlineData("""{"instances":[42]}""", "Instance 0 must be a JSON object.")]
    [InlineData("""{"customer_id":{"nested":true},"merchant_id":"m1"}""", "must be a string (or an integer)")]
    [InlineData("""{"id":true,"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"}""", "Instance 0: 'id' must be a string or an integer; got true")]
    [InlineData("""{"id":1.5,"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"}""", "Instance 0: 'id' must be a string or an integer; got number")]
    [InlineData("""not json""", "The body is not valid JSON")]
    [InlineData("""{"customer_id":"c1","merchant_id":"m1","amount":1,"amount":99999,"currency":"EUR","country":"ES","channel":"pos"}""", "Duplicate property 'amount'")]
    [InlineData("""{"instances":[{"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"}],"version":"challenger"}""", "Unknown property 'version' beside 'instances'")]
    [InlineData("""{"merchant_id":"m1","instances":[{"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos"}]}""", "Unknown property 'merchant_id' beside 'instances'")]
    public void Parse_BadInstance_ClearError(string json, string message)
    {
        var error = Assert.Throws<ServingException>(() => Parse(json));

        Assert.Equal(400, error.Status);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownFieldWhenAJoinKeyIsAlsoARequestField_NamesEachFieldOnce()
    {
        // merchant_id is the merchant views' join key and, here, a request field of the model too.
        var yaml = File.ReadAllText(SampleDefinitionsTests.SamplePath())
            .Replace("request_fields: [amount, country, channel, currency]", "request_fields: [amount, country, channel, currency, merchant_id]", StringComparison.Ordinal);
        var definitions = DefinitionLoader.Parse(yaml, "features.yaml").Definitions!;
        var requirements = TrainingSetBuilder.ForModel(FeaturePlan.Compile(definitions, trackEventIds: true), definitions.FindModel("fraud")!).Requirements;

        var error = Assert.Throws<ServingException>(() => PredictRequest.Parse(
            Encoding.UTF8.GetBytes("""{"customer_id":"c1","merchant_id":"m1","amount":1,"currency":"EUR","country":"ES","channel":"pos","colour":"red"}"""), requirements, Now, "req"));

        Assert.Contains("The model reads: customer_id, merchant_id, amount, country, channel, currency.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"01005\"")]
    [InlineData("1005")]
    public void Parse_LongJoinKey_TheIntegerAsEventsKeyIt(string driver)
    {
        var set = PredictRequest.Parse(RidesBody(driver), RidesRequirements, Now, "req");

        Assert.Equal("1005", set.KeyOf(0, RidesRequirements.EntityKeyFields.ToList().IndexOf("driver_id")));
    }

    [Fact]
    public void Parse_LongJoinKeyTextNotAnInteger_BadEntityKeyInsteadOfNotFound()
    {
        var error = Assert.Throws<ServingException>(() => PredictRequest.Parse(RidesBody("\"1005.0\""), RidesRequirements, Now, "req"));

        Assert.Equal((400, "Bad entity key"), (error.Status, error.Title));
        Assert.Contains("Entity key 'driver_id' is a long key: '1005.0' is not a whole number between -2^53 and 2^53", error.Message, StringComparison.Ordinal);
    }

    // The rides sample's regression: driver_id is a long join key.
    private static readonly FeatureRequirements RidesRequirements = RidesModelRequirements();

    private static FeatureRequirements RidesModelRequirements()
    {
        var definitions = SampleDefinitionsTests.LoadRidesSample();
        return TrainingSetBuilder.ForModel(FeaturePlan.Compile(definitions, trackEventIds: true), definitions.FindModel("trip_duration")!).Requirements;
    }

    private static byte[] RidesBody(string driver) =>
        Encoding.UTF8.GetBytes($$"""{"driver_id":{{driver}},"pickup_zone":"pier","distance_km":3,"passengers":1,"surge":false}""");
}
