namespace Pool.Tests.Properties.Support;

/// <summary>Hang: parks until the pool cancels its token. Stuck: ignores its token and parks until the test answers it.</summary>
internal enum CreateMode { Ok, Throw, Hang, Stuck }

/// <summary>Hang: the check parks (ignoring its token) until the test answers it.</summary>
internal enum ValidateMode { Ok, False, Throw, Hang }

internal enum DestroyMode { Ok, Throw }

/// <summary>
/// The model's factory vocabulary, switched between steps, applied to the kit's <see cref="FakeFactory"/>
/// (creates and destroys) and to the <see cref="ModelFactory"/> around it (checks): everything completes
/// synchronously except a hanging create, which parks until its token is cancelled, a stuck create,
/// which parks in the kit's gate until the test answers it, and a hanging check.
/// </summary>
internal static class FactoryModes
{
    public static void Set(this FakeFactory factory, CreateMode mode)
    {
        factory.Gated = mode == CreateMode.Stuck;
        factory.CreateHangs = mode == CreateMode.Hang;
        factory.CreateError = mode == CreateMode.Throw ? new InvalidOperationException("scripted create failure") : null;
    }

    public static void Set(this FakeFactory factory, DestroyMode mode) =>
        factory.DestroyError = mode == DestroyMode.Throw ? new InvalidOperationException("scripted destroy failure") : null;
}
