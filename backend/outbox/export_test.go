package outbox

// CopierReads is how many times the account's copier has read the store for copies to
// make (-1: no worker).
func CopierReads(e *Engine, accountID int64) int64 {
	e.mu.Lock()
	w := e.workers[accountID]
	e.mu.Unlock()
	if w == nil {
		return -1
	}
	return w.copyReads.Load()
}
