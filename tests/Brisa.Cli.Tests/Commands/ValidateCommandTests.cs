using Brisa.Testing;

namespace Brisa.Cli.Tests.Commands;

public sealed class ValidateCommandTests
{
    [Fact]
    public async Task Validate_Sample_SucceedsWithSummary()
    {
        var (exitCode, output) = await CliRunner.RunAsync("validate", RepositoryPaths.FraudDefinitions);

        Assert.Equal(0, exitCode);
        Assert.Contains("ok", output);
        Assert.Contains("4 views", output);
    }

    [Fact]
    public async Task Validate_BrokenFile_ExitTwoWithEachDiagnostic()
    {
        var path = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, "project: x\nentities:\n  - name: customer\n    join_key: customer_id\nfeature_views:\n  - name: v\n    entity: custmer\n");

        var (exitCode, output) = await CliRunner.RunAsync("validate", path);

        Assert.Equal(2, exitCode);
        Assert.Contains(":7:13: error BR0102: unknown entity 'custmer'. Did you mean 'customer'?", output);
        Assert.Contains("problem(s) in", output);
    }

    [Fact]
    public async Task Validate_LongDiagnosticWithOutputRedirected_PrintsItOnOneLine()
    {
        // Twenty allowed currencies without exchange rates: one diagnostic naming them all, far wider than a console.
        var currencies = "EUR, USD, GBP, JPY, CHF, SEK, NOK, DKK, PLN, CZK, HUF, RON, BGN, ISK, TRY, AUD, CAD, NZD, SGD, HKD";
        var path = Path.Combine(Path.GetTempPath(), $"currencies-{Guid.NewGuid():N}.yaml");
        var sample = await File.ReadAllTextAsync(RepositoryPaths.FraudDefinitions);
        await File.WriteAllTextAsync(path, sample.Replace("allowed: [EUR, USD, GBP]", $"allowed: [{currencies}]", StringComparison.Ordinal));

        var (exitCode, stdout, _) = await CliRunner.RunProcessSeparatelyAsync(TimeSpan.FromMinutes(1), new Dictionary<string, string?>(), "validate", path);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stdout.Split('\n'), l => l.Contains("error BR0524", StringComparison.Ordinal));
        Assert.StartsWith(path + ":", line, StringComparison.Ordinal);
        Assert.EndsWith("HKD: <rate> }'.", line.TrimEnd('\r'), StringComparison.Ordinal);
        Assert.True(line.Length > 240, $"{line.Length} characters");
    }

    [Fact]
    public async Task Validate_MissingFile_ExitTwoWithMessage()
    {
        var (exitCode, output) = await CliRunner.RunAsync("validate", "/no/such/file.yaml");

        Assert.Equal(2, exitCode);
        Assert.Contains("file '/no/such/file.yaml' does not exist", output);
    }

    [Fact]
    public async Task Validate_Directory_ExitTwoSaysItIsADirectory()
    {
        var folder = Directory.CreateTempSubdirectory("brisa-definitions-").FullName;

        var (exitCode, output) = await CliRunner.RunAsync("validate", folder);

        Assert.Equal(2, exitCode);
        Assert.Contains($"'{folder}' is a directory, not a definitions file", output, StringComparison.Ordinal);
        Directory.Delete(folder);
    }

    [Fact]
    public async Task Run_UnknownCommand_ExitTwoWithoutStackTrace()
    {
        var (exitCode, output) = await CliRunner.RunAsync("frobnicate");

        Assert.Equal(2, exitCode);
        Assert.Contains("Unknown command 'frobnicate'", output);
        Assert.DoesNotContain("   at ", output);
    }
}
