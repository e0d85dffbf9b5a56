"""The store facade (embedded Oxigraph, in memory, later remote), the build, the network views."""
