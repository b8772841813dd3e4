/* Versions of mtprep and of the libraries that shape its output bytes. */
#include "mtprep/version.h"

#include <stdio.h>
#include <unicode/uchar.h>
#include <unicode/uversion.h>
#include <zstd.h>

const char *mtp_version(void)
{
    return MTPREP_VERSION;
}

const char *mtp_icu_version(void)
{
    static char text[U_MAX_VERSION_STRING_LENGTH];
    UVersionInfo info;
    u_getVersion(info);
    u_versionToString(info, text);
    return text;
}

const char *mtp_unicode_version(void)
{
    static char text[U_MAX_VERSION_STRING_LENGTH];
    UVersionInfo info;
    u_getUnicodeVersion(info);
    u_versionToString(info, text);
    return text;
}

const char *mtp_zstd_version(void)
{
    return ZSTD_versionString();
}
