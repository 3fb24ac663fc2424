using TraceProbe.Cli;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Cli;

/// <summary>The command line as a user meets it: exit codes, messages, and the process command's files.</summary>
[Collection("Console")]
public sealed class CommandLineTests
{
    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var o = new StringWriter();
        using var e = new StringWriter();
        Console.SetOut(o);
        Console.SetError(e);
        try
        {
            var exit = await TraceProbeApp.RunAsync(args);
            return (exit, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error_with_exit_code_2()
    {
        var (exit, _, err) = await Run("run", "--no-such-option");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--no-such-option", err);
        Assert.Contains("--help", err);
    }

    [Fact]
    public async Task An_unknown_encoder_is_a_usage_error_naming_it()
    {
        var (exit, _, err) = await Run("run", "--encoders", "clip-nope", "--quiet");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("clip-nope", err);
        Assert.Contains("resnet18", err);
    }

    [Fact]
    public async Task A_missing_image_folder_is_a_failure_naming_it()
    {
        var missing = Path.Combine(TestData.TempFolder("cli"), "nope");
        var (exit, _, err) = await Run("run", "--images", missing, "--quiet");
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains(missing, err);
    }

    [Theory]
    [InlineData("run", "--encoders", "--tasks", "--images", "--out", "--seed", "--device", "--protocol")]
    [InlineData("encoders", "--models", "--json")]
    [InlineData("process", "--op", "--in", "--out", "--seed", "JPEG75_420")]
    [InlineData("embed", "--shard", "--encoders", "--tasks", "--images", "--out", "--chunk-size")]
    [InlineData("merge", "--in", "--out")]
    [InlineData("probe", "--embeddings", "--protocol", "--probe-seeds", "--out")]
    [InlineData("knn", "--embeddings", "--k", "--uniform-seeds", "--out")]
    [InlineData("retrieval", "--dataset", "--encoders", "--out")]
    [InlineData("exif", "--images", "--json")]
    [InlineData("report", "--in", "--out")]
    public async Task Every_subcommand_explains_its_options(string command, params string[] expected)
    {
        var (exit, stdout, _) = await Run(command, "--help");
        Assert.Equal(0, exit);
        foreach (var text in expected) Assert.Contains(text, stdout);
        Assert.Contains("Example:", stdout);
    }

    [Fact]
    public async Task Process_writes_the_jpeg_file_of_a_jpeg_operation()
    {
        var folder = TestData.TempFolder("process");
        var output = Path.Combine(folder, "q75.jpg");
        var (exit, _, err) = await Run("process", "--op", "JPEG75_420", "--in", TestData.Photos[0].Path, "--out", output);
        Assert.True(exit == 0, err);
        var bytes = File.ReadAllBytes(output);
        Assert.Equal([0xFF, 0xD8], bytes[..2]);
        using var image = SixLabors.ImageSharp.Image.Load(output);
        using var source = SixLabors.ImageSharp.Image.Load(TestData.Photos[0].Path);
        Assert.Equal((source.Width, source.Height), (image.Width, image.Height));
    }

    [Fact]
    public async Task Process_rejects_an_unknown_operation_listing_the_known_ones()
    {
        var (exit, _, err) = await Run("process", "--op", "JPEG_BEST", "--in", TestData.Photos[0].Path, "--out", "x.jpg");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("JPEG_BEST", err);
        Assert.Contains("SHARPEN_2", err);
    }

    [Fact]
    public async Task Encoders_lists_resnet18_as_installed()
    {
        var (exit, stdout, _) = await Run("encoders", "--json");
        Assert.Equal(0, exit);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var resnet = json.RootElement.EnumerateArray().Single(e => e.GetProperty("id").GetString() == "resnet18");
        Assert.True(resnet.GetProperty("installed").GetBoolean());
        Assert.Equal(512, resnet.GetProperty("dim").GetInt32());
    }
}

[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;

[Collection("Console")]
public sealed class ExifCommandTests
{
    [Fact]
    public async Task Exif_json_lists_every_photo_with_normalised_labels()
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var o = new StringWriter();
        Console.SetOut(o);
        int exit;
        try { exit = await TraceProbeApp.RunAsync(["exif", "--json"]); }
        finally { Console.SetOut(stdout); }
        Assert.Equal(0, exit);
        using var json = System.Text.Json.JsonDocument.Parse(o.ToString());
        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(TestData.Photos.Count, rows.Count);
        var nokia = rows.Single(r => r.GetProperty("file").GetString() == "landscape/plasma-lakeside-jetty.jpg");
        Assert.Equal("Nokia", nokia.GetProperty("make").GetString());
        Assert.True(nokia.GetProperty("is_smartphone").GetBoolean());
        var none = rows.Single(r => r.GetProperty("file").GetString() == "building/plasma-grey-facade-architecture.jpg");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, none.GetProperty("make").ValueKind);
    }
}
