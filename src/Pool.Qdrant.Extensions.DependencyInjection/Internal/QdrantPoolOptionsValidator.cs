using Microsoft.Extensions.Options;

namespace Pool.Qdrant.Extensions.DependencyInjection.Internal;

/// <summary>
/// Validates the named <see cref="QdrantPoolOptions"/> of one registered pool with the rules the pool's
/// constructor applies (<see cref="QdrantPoolOptions.Validate"/>), so bad settings stop
/// the host at start with every problem listed. No message contains the api key.
/// </summary>
internal sealed class QdrantPoolOptionsValidator(string name) : IValidateOptions<QdrantPoolOptions>
{
    public string Name { get; } = name;

    /// <summary>The configuration section the options are bound from, if any; set while registering.</summary>
    public string? ConfigurationPath { get; set; }

    public ValidateOptionsResult Validate(string? name, QdrantPoolOptions options)
    {
        if (!string.Equals(name, Name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = options.Validate();
        if (problems.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        string source = ConfigurationPath is null
            ? $"Qdrant client pool '{Name}': "
            : $"Qdrant client pool '{Name}' (configuration section '{ConfigurationPath}'): ";
        return ValidateOptionsResult.Fail(problems.Select(problem => source + problem));
    }
}
