// Package shadowaiv1 is the Go code generated from shadowai.proto, the
// wire contract between agent and collector. Do not edit the .pb.go files:
// change the .proto and run `make proto`.
package shadowaiv1
