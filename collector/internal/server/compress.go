package server

// Agents compress their batches with gzip; registering the codec lets the
// collector decompress them. Message limits apply after decompression.
import _ "google.golang.org/grpc/encoding/gzip"
