using Pool.Demo;

// Concurrent upserts and queries through a QdrantClientPool while Qdrant restarts (an in-process
// stand-in by default, or --qdrant <url>). Prints progress once a second and a final report, and
// exits 1 if a pool invariant broke. See DemoOptions.Usage.
var (options, error) = DemoOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(DemoOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(DemoOptions.Usage);
    return 0;
}

return await Demo.RunAsync(options);
