namespace Pool.Qdrant.Testing;
