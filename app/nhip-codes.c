/*
 * Nhịp — national code lists: ethnic groups and provinces.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-codes.h"

/* the 54 ethnic groups of the General Statistics Office's list (QĐ 121-TCTK/PPCĐ), and 55
 * for foreigners; MA_DANTOC in the QĐ 130 tables uses these two-digit codes */
static const NhipCode ethnicities[] = {
	{ "01", "Kinh" },
	{ "02", "Tày" },
	{ "03", "Thái" },
	{ "04", "Hoa" },
	{ "05", "Khmer" },
	{ "06", "Mường" },
	{ "07", "Nùng" },
	{ "08", "Hmông" },
	{ "09", "Dao" },
	{ "10", "Gia Rai" },
	{ "11", "Ngái" },
	{ "12", "Ê Đê" },
	{ "13", "Ba Na" },
	{ "14", "Xơ Đăng" },
	{ "15", "Sán Chay" },
	{ "16", "Cơ Ho" },
	{ "17", "Chăm" },
	{ "18", "Sán Dìu" },
	{ "19", "Hrê" },
	{ "20", "Mnông" },
	{ "21", "Raglai" },
	{ "22", "Xtiêng" },
	{ "23", "Bru Vân Kiều" },
	{ "24", "Thổ" },
	{ "25", "Giáy" },
	{ "26", "Cơ Tu" },
	{ "27", "Giẻ Triêng" },
	{ "28", "Mạ" },
	{ "29", "Khơ Mú" },
	{ "30", "Co" },
	{ "31", "Tà Ôi" },
	{ "32", "Chơ Ro" },
	{ "33", "Kháng" },
	{ "34", "Xinh Mun" },
	{ "35", "Hà Nhì" },
	{ "36", "Chu Ru" },
	{ "37", "Lào" },
	{ "38", "La Chí" },
	{ "39", "La Ha" },
	{ "40", "Phù Lá" },
	{ "41", "La Hủ" },
	{ "42", "Lự" },
	{ "43", "Lô Lô" },
	{ "44", "Chứt" },
	{ "45", "Mảng" },
	{ "46", "Pà Thẻn" },
	{ "47", "Cơ Lao" },
	{ "48", "Cống" },
	{ "49", "Bố Y" },
	{ "50", "Si La" },
	{ "51", "Pu Péo" },
	{ "52", "Brâu" },
	{ "53", "Ơ Đu" },
	{ "54", "Rơ Măm" },
	{ "55", "Người nước ngoài" },
};

/* province codes as printed in the first three digits of a CCCD number (the General
 * Statistics Office's codes with a leading zero); numbers issued before the 2025 merger of
 * provinces keep these codes for life, so validation accepts all 63 */
static const NhipCode provinces[] = {
	{ "001", "Hà Nội" },
	{ "002", "Hà Giang" },
	{ "004", "Cao Bằng" },
	{ "006", "Bắc Kạn" },
	{ "008", "Tuyên Quang" },
	{ "010", "Lào Cai" },
	{ "011", "Điện Biên" },
	{ "012", "Lai Châu" },
	{ "014", "Sơn La" },
	{ "015", "Yên Bái" },
	{ "017", "Hòa Bình" },
	{ "019", "Thái Nguyên" },
	{ "020", "Lạng Sơn" },
	{ "022", "Quảng Ninh" },
	{ "024", "Bắc Giang" },
	{ "025", "Phú Thọ" },
	{ "026", "Vĩnh Phúc" },
	{ "027", "Bắc Ninh" },
	{ "030", "Hải Dương" },
	{ "031", "Hải Phòng" },
	{ "033", "Hưng Yên" },
	{ "034", "Thái Bình" },
	{ "035", "Hà Nam" },
	{ "036", "Nam Định" },
	{ "037", "Ninh Bình" },
	{ "038", "Thanh Hóa" },
	{ "040", "Nghệ An" },
	{ "042", "Hà Tĩnh" },
	{ "044", "Quảng Bình" },
	{ "045", "Quảng Trị" },
	{ "046", "Thừa Thiên Huế" },
	{ "048", "Đà Nẵng" },
	{ "049", "Quảng Nam" },
	{ "051", "Quảng Ngãi" },
	{ "052", "Bình Định" },
	{ "054", "Phú Yên" },
	{ "056", "Khánh Hòa" },
	{ "058", "Ninh Thuận" },
	{ "060", "Bình Thuận" },
	{ "062", "Kon Tum" },
	{ "064", "Gia Lai" },
	{ "066", "Đắk Lắk" },
	{ "067", "Đắk Nông" },
	{ "068", "Lâm Đồng" },
	{ "070", "Bình Phước" },
	{ "072", "Tây Ninh" },
	{ "074", "Bình Dương" },
	{ "075", "Đồng Nai" },
	{ "077", "Bà Rịa - Vũng Tàu" },
	{ "079", "Hồ Chí Minh" },
	{ "080", "Long An" },
	{ "082", "Tiền Giang" },
	{ "083", "Bến Tre" },
	{ "084", "Trà Vinh" },
	{ "086", "Vĩnh Long" },
	{ "087", "Đồng Tháp" },
	{ "089", "An Giang" },
	{ "091", "Kiên Giang" },
	{ "092", "Cần Thơ" },
	{ "093", "Hậu Giang" },
	{ "094", "Sóc Trăng" },
	{ "095", "Bạc Liêu" },
	{ "096", "Cà Mau" },
};

static const gchar *
codes_lookup(const NhipCode *table, guint n, const gchar *code)
{
	if (code == NULL)
		return NULL;
	for (guint i = 0; i < n; i++) {
		if (g_strcmp0(table[i].code, code) == 0)
			return table[i].name;
	}
	return NULL;
}

/**
 * nhip_codes_ethnicities:
 * @n_codes: (out): number of entries
 *
 * Returns: (transfer none) (array length=n_codes): the ethnic-group code list
 */
const NhipCode *
nhip_codes_ethnicities(guint *n_codes)
{
	*n_codes = G_N_ELEMENTS(ethnicities);
	return ethnicities;
}

/**
 * nhip_codes_ethnicity_name:
 * @code: a two-digit code
 *
 * Returns: (transfer none) (nullable): the group's name, or %NULL for an unknown code
 */
const gchar *
nhip_codes_ethnicity_name(const gchar *code)
{
	return codes_lookup(ethnicities, G_N_ELEMENTS(ethnicities), code);
}

/**
 * nhip_codes_provinces:
 * @n_codes: (out): number of entries
 *
 * Returns: (transfer none) (array length=n_codes): the province code list (CCCD form)
 */
const NhipCode *
nhip_codes_provinces(guint *n_codes)
{
	*n_codes = G_N_ELEMENTS(provinces);
	return provinces;
}

/**
 * nhip_codes_province_name:
 * @code: a three-digit code as in a CCCD number
 *
 * Returns: (transfer none) (nullable): the province's name, or %NULL for an unknown code
 */
const gchar *
nhip_codes_province_name(const gchar *code)
{
	return codes_lookup(provinces, G_N_ELEMENTS(provinces), code);
}
