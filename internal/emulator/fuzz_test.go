package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzRequest signs fuzzed parameters correctly and sends them through the
// whole server: every input must give a well-formed JSON answer with a
// RequestId and a real HTTP status, never a panic.
func FuzzRequest(f *testing.F) {
	rc := buildRegion(testRegion)
	f.Add("RunInstances", "ImageId=ubuntu_22_04_x64_20G_alibase_20240101.vhd&InstanceType=ecs.g7.large&VSwitchId="+rc.VSwitches[0].ID+"&SecurityGroupId="+rc.SecurityGroups[0].ID+"&Amount=2")
	f.Add("DescribeInstances", "InstanceIds=%5B%22i-1%22%5D&PageSize=100")
	f.Add("DescribeInstances", "InstanceIds=%5B1,2%5D&Tag.99999999999999999999.Key=a")
	f.Add("DescribeInstances", "NextToken=00000000000000000000000000000001&MaxResults=-1")
	f.Add("CreateSnapshotGroup", "InstanceId=i-x&DiskId.1=d-1&ExcludeDiskId.1=d-2")
	f.Add("ModifyInstanceAutoReleaseTime", "InstanceId=i-x&AutoReleaseTime=9999-99-99T99:99:99Z")
	f.Add("DescribeSnapshots", "Filter.1.Key=CreationStartTime&Filter.1.Value=x&SnapshotIds=%5B%5D")
	f.Add("TagResources", "ResourceType=instance&ResourceId.1=i-1&Tag.1.Key=&Tag.1.Value=v")
	f.Add("RunInstances", "Amount=100&DataDisk.17.Size=20&SystemDisk.Size=99999999999999999999")
	f.Add("RunInstances", "ImageId=m-x&DataDisk.1.SnapshotId=s-x&DataDisk.1.Size=1")
	f.Add("CreateImage", "DiskDeviceMapping.1.Size=abc&DiskDeviceMapping.99.Device=/dev/xvdz&SnapshotId=s-x")
	f.Add("DescribeImages", "Status=ALL,Creating&ImageOwnerAlias=self&NextToken=x")
	f.Add("ResizeDisk", "DiskId=d-x&NewSize=-1&Type=online")
	f.Add("ModifyInstanceSpec", "InstanceId=i-x&InstanceType=ecs.g7.large&InternetMaxBandwidthOut=5")
	e, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, action, rawParams string) {
		extra, err := url.ParseQuery(rawParams)
		if err != nil {
			return
		}
		q := url.Values{}
		for k, vs := range extra {
			q[k] = vs
		}
		for k, v := range map[string]string{"Action": action, "Version": apiVersion, "Format": "JSON",
			"AccessKeyId": DefaultAccessKeyID, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
			"SignatureNonce": newRequestID(), "Timestamp": time.Now().UTC().Format(timestampLayout), "RegionId": testRegion} {
			q.Set(k, v)
		}
		q.Set("Signature", v1Sign(DefaultAccessKeySecret, v1StringToSign("POST", q, nil)))
		req := httptest.NewRequest("POST", "/?"+q.Encode(), nil)
		req.Host = "127.0.0.1:8085" // httptest's example.com is refused (DNS rebinding rule)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		var body map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%d not JSON: %q", w.Code, w.Body.String())
		}
		if id, _ := body["RequestId"].(string); id == "" {
			t.Fatalf("no RequestId: %s", w.Body.String())
		}
		if w.Code != 200 && (w.Code < 400 || w.Code > 599 || body["Code"] == nil) {
			t.Fatalf("status %d body %s", w.Code, w.Body.String())
		}
	})
}

// FuzzSignatureV1 checks that verification never panics on arbitrary input
// and that re-signing any parsable parameter set with the right secret is
// accepted (the string to sign is a function of the parameters alone).
func FuzzSignatureV1(f *testing.F) {
	f.Add("GET", "Action=DescribeRegions&Version=2014-05-26&Signature=abc", "")
	f.Add("POST", "a=%20b&c=*&d=~&e=%C3%A9&SignatureType=", "x=1&y=%ZZ")
	f.Add("POST", "%%%", "")
	f.Add("PUT", "", "Action=RunInstances")
	f.Add("POST", "Action=DescribeRegions&Action=DescribeZones", "Version=2014-05-26")
	creds := []Credential{{AccessKeyID: "ak", AccessKeySecret: "sk"}}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, method, rawQuery, body string) {
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		_, _ = VerifyRequest(method, "h", rawQuery, h, []byte(body), creds, now)
		h2 := http.Header{"Authorization": {"ACS3-HMAC-SHA256 " + rawQuery}, "X-Acs-Action": {"DescribeRegions"}, "X-Acs-Version": {apiVersion}}
		_, _ = VerifyRequest("POST", "h", rawQuery, h2, []byte(body), creds, now)

		q, err := url.ParseQuery(rawQuery)
		if err != nil || method != "GET" && method != "POST" {
			return
		}
		for k, v := range map[string]string{"Action": "DescribeRegions", "Version": apiVersion, "AccessKeyId": "ak",
			"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": "n",
			"Timestamp": now.Format(timestampLayout)} {
			q.Set(k, v)
		}
		q.Del("SecurityToken")
		if paramLimitError(q) != nil {
			return // refused by the limits, before any signature check
		}
		q.Set("Signature", v1Sign("sk", v1StringToSign(method, q, nil)))
		if _, err := VerifyRequest(method, "h", q.Encode(), http.Header{}, nil, creds, now); err != nil {
			t.Fatalf("correctly signed request refused: %v (%s)", err, strings.ReplaceAll(q.Encode(), "&", " "))
		}
	})
}
