package main

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// register registers Railyard's workflows and activities on w.
//
// PLACEHOLDER — it registers nothing yet. The workflow author fills it in
// (workflows.Register, plus the activities struct built from c and o:
// o.CredentialsFile, o.CacheDir, o.Namespace, o.TaskQueue); the lead replaces
// this function within the session. Keep the signature: main calls it
// between creating the worker and starting it, and a returned error aborts
// start-up.
func register(w worker.Worker, c client.Client, o options) error {
	_, _, _ = w, c, o
	return nil
}
