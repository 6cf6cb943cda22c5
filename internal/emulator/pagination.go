package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
)

// page is a pagination request: page numbers (PageNumber/PageSize, counted
// from 1) or tokens (NextToken/MaxResults; the token is a cursor on the
// resource's creation sequence, so deletions between pages skip nothing).
type page struct {
	tokenMode  bool
	number     int
	size       int
	afterSeq   int64
	maxResults int
}

type pageLimits struct {
	defSize, maxSize       int // PageSize
	defResults, minResults int // MaxResults (values below min are raised to it)
	maxResults             int
	pageNumbers            bool // false: token mode only (DescribeSnapshotGroups)
}

func (c *call) page(l pageLimits) (page, *apiError) {
	p := c.p
	var pg page
	var ae *apiError
	if !l.pageNumbers || p.str("NextToken") != "" || p.str("MaxResults") != "" {
		pg.tokenMode = true
		n, err := strconv.Atoi(p.str("MaxResults"))
		switch {
		case p.str("MaxResults") == "":
			n = l.defResults
		case err != nil || n < 0:
			return pg, errInvalidParam("MaxResults")
		}
		pg.maxResults = min(max(n, l.minResults), l.maxResults)
		if t := p.str("NextToken"); t != "" {
			seq, err := strconv.ParseInt(t, 16, 64)
			if err != nil || seq < 0 || len(t) != 32 {
				return pg, newErr(http.StatusBadRequest, "InvalidParameter.NextToken", "The specified NextToken is not valid.")
			}
			pg.afterSeq = seq
		}
		return pg, nil
	}
	if pg.number, ae = p.integer("PageNumber", 1, 1, 1<<30, nil); ae != nil {
		return pg, ae
	}
	if pg.size, ae = p.integer("PageSize", l.defSize, 1, l.maxSize, nil); ae != nil {
		return pg, ae
	}
	return pg, nil
}

// apply cuts seqs (sorted ascending) to the requested page; it returns the
// index range and the NextToken ("" on the last page).
func (pg page) apply(seqs []int64) (int, int, string) {
	if pg.tokenMode {
		start := sort.Search(len(seqs), func(i int) bool { return seqs[i] > pg.afterSeq })
		end := min(start+pg.maxResults, len(seqs))
		next := ""
		if end < len(seqs) && end > 0 {
			next = fmt.Sprintf("%032x", seqs[end-1])
		}
		return start, end, next
	}
	start := min((pg.number-1)*pg.size, len(seqs))
	end := min(start+pg.size, len(seqs))
	next := ""
	if end < len(seqs) && end > 0 {
		next = fmt.Sprintf("%032x", seqs[end-1])
	}
	return start, end, next
}

// header fills TotalCount/PageNumber/PageSize/NextToken.
func (pg page) header(m M, total int, next string) M {
	m["TotalCount"] = total
	m["NextToken"] = next
	if pg.tokenMode {
		m["PageNumber"] = 1
		m["PageSize"] = pg.maxResults
		m["MaxResults"] = pg.maxResults
	} else {
		m["PageNumber"] = pg.number
		m["PageSize"] = pg.size
	}
	return m
}
