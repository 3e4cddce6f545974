using System.Text;

namespace Brisa.Cli.Tests.Reliability;

/// <summary>
/// Every CLI command that reads a file, given a corpus of bad files: a clear message, a non-zero exit code, never a
/// stack trace, and no hang.
/// </summary>
public sealed class CliBadInputTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("brisa-cli-bad-").FullName;

    public static TheoryData<string> Corpus => ["empty", "binary", "malformed", "deep", "wrong types", "json array", "huge", "alias bomb", "directory", "missing", "control chars"];

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Validate_BadDefinitionsFile_MessageAndNonZeroExit(string kind)
    {
        var (exitCode, output) = await CliRunner.RunAsync("validate", Write(kind));

        AssertCleanFailure(exitCode, output);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task PlanApplyTrain_BadDefinitionsFile_MessageAndNonZeroExitBeforeStorage(string kind)
    {
        var path = Write(kind);
        foreach (var args in new[] { new[] { "plan", path }, ["apply", path], ["train", "fraud", "--definitions", path], ["materialize", "--from", "2026-11-01", "--to", "2026-11-02", "--definitions", path] })
        {
            var (exitCode, output) = await CliRunner.RunAsync(args);

            AssertCleanFailure(exitCode, output, string.Join(' ', args));
            // The file itself is what is reported (not a missing storage account or range).
            Assert.Contains(Path.GetFileName(path), output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("missing")]
    [InlineData("directory")]
    public async Task Send_BadEventsFile_MessageAndNonZeroExit(string kind)
    {
        // Nothing listens on the discard port: a file that gets past reading fails on the connection, cleanly too.
        var (exitCode, output) = await CliRunner.RunAsync("send", Write(kind), "--url", "http://127.0.0.1:9/api/events");

        AssertCleanFailure(exitCode, output);
    }

    private static void AssertCleanFailure(int exitCode, string output, string? command = null)
    {
        Assert.True(exitCode is > 0 and < 128, $"{command}: exit {exitCode}\n{output}");
        Assert.Contains("error", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    private string Write(string kind)
    {
        var path = Path.Combine(folder, kind.Replace(' ', '-') + ".yaml");
        switch (kind)
        {
            case "missing":
                return path;
            case "directory":
                Directory.CreateDirectory(path);
                return path;
            case "binary":
                var bytes = new byte[4096];
                new Random(1).NextBytes(bytes);
                File.WriteAllBytes(path, bytes);
                return path;
        }

        File.WriteAllText(path, kind switch
        {
            "empty" => "",
            "malformed" => "project: [fraud\nentities: {{{\n",
            "deep" => "project: " + new string('[', 200_000) + new string(']', 200_000) + "\n",
            "wrong types" => "project: 42\nentities: 7\nsources: { a: b }\nfeature_views: [1, 2]\nmodels: \"none\"\n",
            "json array" => "[1, 2, 3]",
            "huge" => new StringBuilder().Insert(0, "project: fraud\n" + string.Concat(Enumerable.Repeat("# padding padding padding padding padding padding padding padding\n", 160_000))).Append("entities: 7\n").ToString(),
            "alias bomb" => "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\nproject: *h\n",
            "control chars" => "project: \"fr\\u0000aud\"\nentities:\n  - name: \"cust\\u0007omer\"\n    join_key: \"id\\u001b[31m\"\n",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        });
        return path;
    }
}
