package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/meshlint/meshlint/internal/version"
)

func init() {
	extraCommands = append(extraCommands, versionCommand())
	// --version alone: -v is --verbose's.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version, commit and date, as meshlint version does"}
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprint(c.App.Writer, version.Get()) }
}

// toolVersion is the version every report names (JSON tool.version, SARIF
// tool.driver.version, GitLab engine_version).
func toolVersion() string { return version.Get().Version }

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print the version, commit and date of this build",
		ArgsUsage: " ",
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return fmt.Errorf("version takes no arguments (see meshlint version --help)")
			}
			_, err := fmt.Fprint(c.App.Writer, version.Get())
			return err
		},
		OnUsageError: usageError,
	}
}
