package emulator

// actionSpec is one API action: its handler and whether RegionId is required.
type actionSpec struct {
	h      func(*call) (M, *apiError)
	region bool
}

// actions is the dispatch table; files that implement further actions add
// theirs in init. Actions that do not require RegionId still resolve it when
// it is given (the Go SDK always sends it).
var actions = map[string]actionSpec{
	"RunInstances":                  {runInstances, true},
	"CreateInstance":                {createInstanceAction, true},
	"StartInstance":                 {startInstance, false},
	"StopInstance":                  {stopInstance, false},
	"RebootInstance":                {rebootInstance, false},
	"DeleteInstance":                {deleteInstance, false},
	"DeleteInstances":               {deleteInstances, true},
	"DescribeInstances":             {describeInstances, true},
	"DescribeInstanceStatus":        {describeInstanceStatus, true},
	"DescribeInstanceAttribute":     {describeInstanceAttribute, false},
	"ModifyInstanceAttribute":       {modifyInstanceAttribute, false},
	"ModifyInstanceAutoReleaseTime": {modifyAutoReleaseTime, false},
}
