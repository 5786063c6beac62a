#include "util/version.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <yaml.h>

char *hf_version_libraries(char *buf, size_t len)
{
	const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
	int n = snprintf(buf, len,
			 "libcurl %s (%s%s)\n"
			 "OpenSSL %s\n"
			 "cJSON %s\n"
			 "libyaml %s\n"
			 "libwebsockets %s\n",
			 curl->version, curl->ssl_version ? curl->ssl_version : "no TLS",
			 (curl->features & CURL_VERSION_HTTP2) ? ", HTTP/2" : "",
			 OpenSSL_version(OPENSSL_VERSION_STRING), cJSON_Version(),
			 yaml_get_version_string(), lws_get_library_version());
	if (n < 0 && len > 0)
		buf[0] = '\0';
	return buf;
}
