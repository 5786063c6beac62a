/* main.c: the hyperfleet program; everything happens in hf_cli_main. */
#include "cmd/cli.h"

int main(int argc, char **argv)
{
	return hf_cli_main(argc, argv);
}
