namespace Pool.Tests.Properties.Support;

internal enum CreateMode { Ok, Throw, Hang }

internal enum ValidateMode { Ok, False, Throw }

internal enum DestroyMode { Ok, Throw }

/// <summary>
/// The model's factory vocabulary, switched between steps, applied to the kit's <see cref="FakeFactory"/>:
/// everything completes synchronously except a hanging create, which parks until its token is cancelled.
/// </summary>
internal static class FactoryModes
{
    public static void Set(this FakeFactory factory, CreateMode mode)
    {
        factory.CreateHangs = mode == CreateMode.Hang;
        factory.CreateError = mode == CreateMode.Throw ? new InvalidOperationException("scripted create failure") : null;
    }

    public static void Set(this FakeFactory factory, ValidateMode mode)
    {
        factory.Validate = _ => mode != ValidateMode.False;
        factory.ValidateError = mode == ValidateMode.Throw ? new InvalidOperationException("scripted validate failure") : null;
    }

    public static void Set(this FakeFactory factory, DestroyMode mode) =>
        factory.DestroyError = mode == DestroyMode.Throw ? new InvalidOperationException("scripted destroy failure") : null;
}
