package ecsapi

// fetchPage reads one page: it sends nextToken ("" for the first page) and
// returns the page's items, the token of the next page and the request id.
type fetchPage[T any] func(nextToken string) (items []T, next, requestID string, err error)

// pageThrough reads pages (NextToken/MaxResults mode) until the service
// returns no new token or pageLimit pages were read. It returns the request
// id of the first page.
func pageThrough[T any](pageLimit int, fetch fetchPage[T]) ([]T, string, error) {
	var (
		all       []T
		nextToken string
		requestID string
	)
	for page := 0; page < pageLimit; page++ {
		items, next, reqID, err := fetch(nextToken)
		if err != nil {
			return nil, "", err
		}
		if requestID == "" {
			requestID = reqID
		}
		all = append(all, items...)
		if next == "" || next == nextToken {
			break
		}
		nextToken = next
	}
	return all, requestID, nil
}
