using Microsoft.Extensions.Options;

namespace Pool.Extensions.DependencyInjection.Internal;

/// <summary>
/// Validates the named <see cref="ConnectionPoolOptions"/> of one pool with the pool's own rules
/// (<see cref="ConnectionPoolOptions.Validate"/>), so bad settings fail when the host starts
/// (<c>ValidateOnStart</c>) with every problem listed, not when the pool is first resolved.
/// </summary>
internal sealed class PoolOptionsValidator(string name) : IValidateOptions<ConnectionPoolOptions>
{
    /// <summary>The pool's registration name: the only options name this validator checks.</summary>
    public string Name { get; } = name;

    /// <summary>The configuration section the options are bound from, if any; set while registering, before the container exists.</summary>
    public string? ConfigurationPath { get; set; }

    public ValidateOptionsResult Validate(string? name, ConnectionPoolOptions options)
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

        string source = Source(Name, ConfigurationPath);
        return ValidateOptionsResult.Fail(problems.Select(problem => source + problem));
    }

    /// <summary>How every message starts: which pool, and where its settings come from.</summary>
    public static string Source(string name, string? configurationPath) => configurationPath is null
        ? $"Connection pool '{name}': "
        : $"Connection pool '{name}' (configuration section '{configurationPath}'): ";
}
