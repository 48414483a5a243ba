using Google.Protobuf;
using Grpc.Core;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>
/// Method descriptors for Qdrant's real gRPC paths, over the message types Qdrant.Client ships
/// (the package has no server base classes, and compiling our own protos would clash with its types).
/// </summary>
internal static class QdrantMethods
{
    public static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string service, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        new(MethodType.Unary, service, name, MarshallerOf<TRequest>(), MarshallerOf<TResponse>());

    private static Marshaller<T> MarshallerOf<T>()
        where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
    }
}
