/*
 * check-curl: prove what the static libcurl was built with.
 *
 *   check-curl              print version, protocols, TLS backend, features
 *   check-curl URL CAFILE   also GET URL (verified against CAFILE), body to stdout
 *
 * build-deps.sh runs the first form and asserts on its output. The GET path is
 * there so the linked size is that of a real HTTPS client (curl_easy_perform pulls
 * in the transfer engine), and it is handy against a local test server.
 */
#include <stdio.h>
#include <curl/curl.h>

int main(int argc, char **argv)
{
	const curl_version_info_data *d;
	const char *const *p;
	CURL *h;
	CURLcode rc;
	char err[CURL_ERROR_SIZE] = "";

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 2;
	d = curl_version_info(CURLVERSION_NOW);
	printf("version: %s\n", curl_version());
	printf("protocols:");
	for (p = d->protocols; *p != NULL; p++)
		printf(" %s", *p);
	printf("\nssl: %s\n", d->ssl_version != NULL ? d->ssl_version : "none");
	printf("features:");
	for (p = d->feature_names; p != NULL && *p != NULL; p++)
		printf(" %s", *p);
	printf("\n");
	if (argc != 3)
		return 0;

	h = curl_easy_init();
	if (h == NULL)
		return 2;
	curl_easy_setopt(h, CURLOPT_URL, argv[1]);
	curl_easy_setopt(h, CURLOPT_CAINFO, argv[2]);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	/* with --disable-verbose curl_easy_strerror() says only "Error";
	 * the error buffer keeps the detail */
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK)
		fprintf(stderr, "check-curl: error %d: %s\n", (int)rc, err);
	curl_easy_cleanup(h);
	curl_global_cleanup();
	return rc == CURLE_OK ? 0 : 1;
}
