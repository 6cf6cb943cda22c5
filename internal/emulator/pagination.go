package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
)

// Every listing action pages the same way: the handler validates its
// parameters, reads the page request with c.page, collects the matching
// resources in any order, and answers with answerPage.
//
// A page is asked for in one of two ways:
//   - page numbers: PageNumber (from 1) and PageSize;
//   - tokens: MaxResults, plus the NextToken of the previous answer. A token
//     is a cursor on the resources' creation order (32 hex digits), so a
//     deletion between two pages skips nothing.
//
// Sending NextToken or MaxResults selects tokens. Either way the answer
// carries NextToken ("" on the last page), so a client can follow tokens
// from a first page asked for by number.

// page is one page request, read by c.page.
type page struct {
	tokenMode  bool
	tokenOnly  bool // the action knows only NextToken (see pageLimits)
	number     int
	size       int
	afterSeq   int64
	maxResults int
}

// pageLimits are one action's paging defaults and bounds.
type pageLimits struct {
	defSize, maxSize       int // PageSize
	defResults, minResults int // MaxResults (values below min are raised to it)
	maxResults             int // MaxResults (values above are lowered to it)
	// tokenOnly: the action has no page numbers and its answer carries only
	// NextToken, no TotalCount/PageNumber/PageSize (DescribeSnapshotGroups).
	tokenOnly bool
}

func (c *call) page(l pageLimits) (page, *apiError) {
	p := c.p
	pg := page{tokenOnly: l.tokenOnly}
	var ae *apiError
	if l.tokenOnly || p.str("NextToken") != "" || p.str("MaxResults") != "" {
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

// sequenced is a listed resource: its sequence number is its place in
// creation order, unique across the emulator.
type sequenced interface{ sequence() int64 }

// numbered lists a catalog entry, whose place in the catalog is its order.
type numbered[T any] struct {
	n     int64 // 1-based
	entry T
}

func (x numbered[T]) sequence() int64 { return x.n }

// answerPage is the answer of a listing action: it sorts matched by creation
// order, keeps the page pg asks for, and returns the views of that page
// under set.item (e.g. {"Instances": {"Instance": [...]}}) together with
// TotalCount (every match), PageNumber, PageSize and NextToken. In token
// mode PageNumber is 1 and PageSize and MaxResults are the page's size; a
// token-only action answers NextToken alone.
func answerPage[T sequenced, V any](pg page, matched []T, set, item string, view func(T) V) M {
	sort.Slice(matched, func(i, j int) bool { return matched[i].sequence() < matched[j].sequence() })
	var start, end int
	if pg.tokenMode {
		start = sort.Search(len(matched), func(i int) bool { return matched[i].sequence() > pg.afterSeq })
		end = min(start+pg.maxResults, len(matched))
	} else {
		start = min((pg.number-1)*pg.size, len(matched))
		end = min(start+pg.size, len(matched))
	}
	next := ""
	if end < len(matched) && end > 0 {
		next = fmt.Sprintf("%032x", matched[end-1].sequence())
	}
	views := make([]V, 0, end-start)
	for _, r := range matched[start:end] {
		views = append(views, view(r))
	}
	m := M{set: M{item: views}, "NextToken": next}
	switch {
	case pg.tokenOnly:
	case pg.tokenMode:
		m["TotalCount"] = len(matched)
		m["PageNumber"] = 1
		m["PageSize"] = pg.maxResults
		m["MaxResults"] = pg.maxResults
	default:
		m["TotalCount"] = len(matched)
		m["PageNumber"] = pg.number
		m["PageSize"] = pg.size
	}
	return m
}
