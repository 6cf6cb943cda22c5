package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// aliyunProfile is the part of a profile in the aliyun CLI's config.json that
// the provider can use.
type aliyunProfile struct {
	Name            string `json:"name"`
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	StsToken        string `json:"sts_token"`
	RegionID        string `json:"region_id"`
}

type aliyunConfigFile struct {
	Current  string          `json:"current"`
	Profiles []aliyunProfile `json:"profiles"`
}

// loadAliyunProfile reads ~/.aliyun/config.json and returns the named profile.
// Only the modes that carry credentials in the file are supported; other
// modes need a credential exchange the provider does not perform.
func loadAliyunProfile(homeDir func() (string, error), name string) (aliyunProfile, error) {
	home, err := homeDir()
	if err != nil {
		return aliyunProfile{}, fmt.Errorf("cannot find the home directory to read the aliyun CLI configuration: %w", err)
	}
	file := filepath.Join(home, ".aliyun", "config.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		return aliyunProfile{}, fmt.Errorf("profile %q was asked for, but %s cannot be read: %w", name, file, err)
	}
	var cfg aliyunConfigFile
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return aliyunProfile{}, fmt.Errorf("%s is not valid JSON: %w", file, err)
	}
	var names []string
	for _, p := range cfg.Profiles {
		names = append(names, p.Name)
		if p.Name != name {
			continue
		}
		switch p.Mode {
		case "AK", "":
			p.StsToken = ""
			return p, nil
		case "StsToken":
			return p, nil
		default:
			return aliyunProfile{}, fmt.Errorf("profile %q in %s uses mode %q; supported modes are AK and StsToken",
				name, file, p.Mode)
		}
	}
	return aliyunProfile{}, fmt.Errorf("profile %q is not in %s; profiles there: %s",
		name, file, strings.Join(names, ", "))
}
