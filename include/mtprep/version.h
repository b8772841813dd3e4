/* Versions: of mtprep, and of the libraries whose behaviour shapes the output
 * bytes (ICU and its Unicode data, zstd), for manifests and --version. */
#ifndef MTPREP_VERSION_H
#define MTPREP_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

const char *mtp_version(void);         /* "0.1.0" */
const char *mtp_icu_version(void);     /* "72.1" */
const char *mtp_unicode_version(void); /* "15.0" */
const char *mtp_zstd_version(void);    /* "1.5.4" */

#ifdef __cplusplus
}
#endif
#endif
